import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SmileyWire
import Testing
@testable import SmileyCollector
#if canImport(Glibc)
import Glibc
#endif

/// A collector no input can break (#10, item 9): each finding of the attack on main, answered.
@Suite("smiley-collector: limits on connections, bodies and heartbeats", .timeLimit(.minutes(2)))
struct CollectorLimitsTests {
    static let token = "0123456789abcdef0123456789abcdef"
    static let beat = Heartbeat(terminal: "t", site: "s", version: "0.1.0", sentAt: "2026-11-22T09:15:02.123Z", uptimeSeconds: 1,
                                backlog: 0, lastPressAt: nil, lastSyncAt: nil, clockSynchronized: true, heldButtons: [],
                                diskFreeBytes: nil, lowDisk: false, quarantinedBatches: 0, quarantinedSamples: 0, lastError: nil)

    func makeAPI(_ folder: Folder, maxBodyBytes: Int = 4096, limits: CollectorLimits = CollectorLimits(),
                 logs: RecordedLogs = RecordedLogs()) throws -> CollectorAPI {
        let storage = try SQLiteCollectorStorage(path: folder.path + "/c.sqlite")
        let logger = Logger(label: "test") { _ in RecordingLogHandler(logs: logs) }
        return CollectorAPI(storage: storage, tokens: TokenTable(pairs: [(terminal: "t", token: Self.token)]),
                            maxBodyBytes: maxBodyBytes, limits: limits, logger: logger)
    }

    func withRouter(_ api: CollectorAPI, _ test: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: api.router(), logger: api.logger).test(.router, test)
    }

    static func headers(gzip: Bool = false, token: String = token) -> HTTPFields {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if gzip { headers[.contentEncoding] = "gzip" }
        return headers
    }

    static func gzip(_ bytes: [UInt8]) throws -> ByteBuffer {
        var plain = ByteBuffer(bytes: bytes)
        return try plain.compress(with: .gzip())
    }

    /// The heartbeat padded with spaces after its closing brace to exactly `size` bytes.
    static func heartbeat(size: Int) -> [UInt8] {
        let bytes = WireEncoder.encode(beat)
        return bytes + [UInt8](repeating: 0x20, count: size - bytes.count)
    }

    static func errorMessage(_ body: ByteBuffer) throws -> String {
        try WireDecoder.errorBody(from: Array(body.readableBytesView)).error
    }

    @Test("the decompressed limit is exact: a body of exactly max-body-bytes passes, plain or gzip; one byte more is 413")
    func exactDecompressedLimit() async throws {
        let folder = Folder()
        let api = try makeAPI(folder, maxBodyBytes: 4096, limits: CollectorLimits(maxHeartbeatBytes: 1 << 20))
        try await withRouter(api) { client in
            for gzip in [false, true] {
                let exact = Self.heartbeat(size: 4096)
                try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: gzip),
                                         body: gzip ? try Self.gzip(exact) : ByteBuffer(bytes: exact)) { response in
                    #expect(response.status == .noContent, "gzip \(gzip): \(String(buffer: response.body))")
                }
                let over = exact + [0x20]
                try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: gzip),
                                         body: gzip ? try Self.gzip(over) : ByteBuffer(bytes: over)) { response in
                    #expect(response.status == .contentTooLarge)
                    let message = try Self.errorMessage(response.body)
                    #expect(message == "the body is larger than 4096 bytes\(gzip ? " once decompressed" : "")")
                }
            }
            // Far beyond the limit (the finding let 42 % more through): 413, whatever the compression ratio.
            for size in [4096 * 3 / 2, 1 << 20] {
                try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: true),
                                         body: try Self.gzip(Self.heartbeat(size: size))) { response in
                    #expect(response.status == .contentTooLarge, "\(size) bytes")
                }
            }
        }
    }

    @Test("a heartbeat is capped (a 65 KB gzip of 31 MB is 413) and nothing of it is stored or served")
    func heartbeatSizeCap() async throws {
        let folder = Folder()
        let api = try makeAPI(folder, maxBodyBytes: 32 * 1024 * 1024)
        let huge = try Self.gzip(Array(#"{"terminal":"t","lastError":""#.utf8) + [UInt8](repeating: 0x61, count: 31 * 1024 * 1024)
                                 + Array(#""}"#.utf8))
        #expect(huge.readableBytes < 70 * 1024)
        try await withRouter(api) { client in
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: true), body: huge) { response in
                #expect(response.status == .contentTooLarge)
                let message = try Self.errorMessage(response.body)
                #expect(message == "the heartbeat is larger than \(CollectorLimits().maxHeartbeatBytes) bytes once decompressed")
            }
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(),
                                     body: ByteBuffer(bytes: Self.heartbeat(size: CollectorLimits().maxHeartbeatBytes + 1))) { response in
                #expect(response.status == .contentTooLarge)
            }
            // Terminals' tokens read nothing: an admin credential reads.
            let admin = "adminadminadmin0123456789abcdef"
            _ = try await api.storage.addCredential(.admin, digest: TokenDigest.of(admin), createdAtMs: 0)
            try await client.execute(uri: "/v1/terminals", method: .get, headers: Self.headers(token: admin)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "[]")
            }
        }
    }

    /// A heartbeat member out of its bounds, and what the refusal says.
    enum OutOfBounds: CaseIterable, Sendable {
        case longVersion, controlInVersion, longLastError, manyHeldButtons, longFloodingButton

        func apply(_ beat: inout Heartbeat) {
            switch self {
            case .longVersion: beat.version = String(repeating: "9", count: 65)
            case .controlInVersion: beat.version = "1.0\u{7}"
            case .longLastError: beat.lastError = String(repeating: "e", count: 2049)
            case .manyHeldButtons: beat.heldButtons = (0...64).map { "b\($0)" }
            case .longFloodingButton: beat.floodingButtons = ["green", String(repeating: "x", count: 65)]
            }
        }

        var says: String {
            switch self {
            case .longVersion, .controlInVersion: "version: expected 1 to 64 characters without control characters"
            case .longLastError: "lastError: expected at most 2048 characters, got 2049"
            case .manyHeldButtons: "heldButtons: expected at most 64 button names, got 65"
            case .longFloodingButton: "floodingButtons[1]: expected a button name of 1 to 64 characters without control characters"
            }
        }
    }

    @Test("a heartbeat's free-form members are bounded, each refusal naming the member and the bound",
          arguments: OutOfBounds.allCases)
    func heartbeatFields(change: OutOfBounds) async throws {
        let says = change.says
        let folder = Folder()
        let api = try makeAPI(folder)
        var beat = Self.beat
        change.apply(&beat)
        let body = ByteBuffer(bytes: WireEncoder.encode(beat))
        try await withRouter(api) { client in
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(), body: body) { response in
                #expect(response.status == .badRequest)
                let message = try Self.errorMessage(response.body)
                #expect(message == "the body is not a heartbeat: \(says)")
            }
            // At the bounds it is accepted.
            var edge = Self.beat
            edge.version = String(repeating: "9", count: 64)
            edge.lastError = String(repeating: "e", count: 2048)
            edge.heldButtons = (0..<64).map { "b\($0)" }
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(),
                                     body: ByteBuffer(bytes: WireEncoder.encode(edge))) { response in
                #expect(response.status == .noContent)
            }
        }
    }

    @Test("bodies beyond max-concurrent-bodies are answered 503 with Retry-After at once, and logged; a free permit lets the next in")
    func concurrentBodies() async throws {
        let folder = Folder()
        let logs = RecordedLogs()
        let api = try makeAPI(folder, limits: CollectorLimits(maxConcurrentBodies: 2), logs: logs)
        #expect(api.bodies.tryAcquire() && api.bodies.tryAcquire())
        #expect(!api.bodies.tryAcquire())
        let body = ByteBuffer(bytes: WireEncoder.encode(Self.beat))
        try await withRouter(api) { client in
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(), body: body) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                let message = try Self.errorMessage(response.body)
                #expect(message == "the collector is reading 2 bodies already; retry later")
            }
            api.bodies.release()
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(), body: body) { response in
                #expect(response.status == .noContent)
            }
            #expect(api.bodies.count == 1)
        }
        #expect(logs.entries.contains {
            $0.level == .notice && $0.message == "request refused" && $0.text.contains("status: 503")
                && $0.text.contains("reading 2 bodies already")
        })
    }

    @Test("refusals are logged at notice level with their reason, never with the token")
    func refusalsLogged() async throws {
        let folder = Folder()
        let logs = RecordedLogs()
        let api = try makeAPI(folder, logs: logs)
        let wrong = "ffffeeeeddddccccbbbbaaaa99998888"
        let other = { var beat = Self.beat; beat.terminal = "u"; return beat }()
        try await withRouter(api) { client in
            try await client.execute(uri: "/v1/terminals", method: .get, headers: Self.headers(token: wrong)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(),
                                     body: ByteBuffer(bytes: WireEncoder.encode(other))) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(),
                                     body: ByteBuffer(bytes: Self.heartbeat(size: 5000))) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
        let refused = logs.entries.filter { $0.level == .notice && $0.message == "request refused" }
        #expect(refused.contains { $0.text.contains("status: 401") && $0.text.contains("a valid bearer token is required") })
        #expect(refused.contains { $0.text.contains("status: 403") && $0.text.contains("the heartbeat says u") })
        #expect(refused.contains { $0.text.contains("status: 413") && $0.text.contains("larger than 4096 bytes") })
        #expect(!logs.entries.contains { $0.text.contains(wrong) || $0.text.contains(Self.token) })
    }

    @Test("the tokens file must belong to the collector's user: another owner is refused with what to run")
    func tokensFileOwner() throws {
        let folder = Folder()
        let path = folder.write("tokens", "a 0123456789abcdef0123\n", mode: 0o600)
        #expect(try TokenTable.load(path: path).count == 1)
        #expect {
            _ = try TokenTable.load(path: path, owner: geteuid() + 4242)
        } throws: { error in
            let text = (error as? CollectorConfigError)?.description ?? ""
            return text.hasPrefix("tokens-file \(path) belongs to user \(TokenTable.userName(geteuid())), not to the collector's user")
                && text.contains("Run: chown ")
        }
    }

    @Test("the limits are configuration keys with defaults, each checked against its range")
    func limitKeys() throws {
        let folder = Folder()
        let defaults = try CollectorConfiguration.load(path: folder.write("a.yaml", "database: c\ntokens-file: t\n"))
        #expect(defaults.limits == CollectorLimits(maxConnections: 2048, idleTimeout: .seconds(30), maxConcurrentBodies: 8,
                                                   maxHeartbeatBytes: 32768))
        let given = try CollectorConfiguration.load(path: folder.write("b.yaml", """
            database: c
            tokens-file: t
            max-connections: 100
            idle-timeout-seconds: 5
            max-concurrent-bodies: 3
            max-heartbeat-bytes: 4096

            """))
        #expect(given.limits == CollectorLimits(maxConnections: 100, idleTimeout: .seconds(5), maxConcurrentBodies: 3,
                                                maxHeartbeatBytes: 4096))
        let bad = folder.write("c.yaml", "database: c\ntokens-file: t\nmax-connections: 0\nidle-timeout-seconds: 0\n"
            + "max-concurrent-bodies: 5000\nmax-heartbeat-bytes: 10\n")
        #expect {
            _ = try CollectorConfiguration.load(path: bad)
        } throws: { error in
            let text = (error as? CollectorConfigError)?.description ?? ""
            return text.contains("max-connections: \"0\" is not allowed; expected a whole number in 1...1000000")
                && text.contains("idle-timeout-seconds: \"0\" is not allowed; expected a whole number in 1...3600")
                && text.contains("max-concurrent-bodies: \"5000\" is not allowed; expected a whole number in 1...4096")
                && text.contains("max-heartbeat-bytes: \"10\" is not allowed; expected a whole number in 1024...1048576")
        }
    }

    // MARK: Through a real socket

    @Test("many idle connections beyond max-connections do not stop /health: idle ones are closed, the next is served")
    func idleConnectionsDoNotStopHealth() async throws {
        let folder = Folder()
        let api = try makeAPI(folder, limits: CollectorLimits(maxConnections: 4, idleTimeout: .milliseconds(300)))
        let running = try await RunningCollector.start(api: api)
        // Silent sockets, five times the cap: without the idle timeout the cap keeps /health out for good,
        // without the cap and timeout they hold a descriptor each for as long as they like.
        let idle = try (0..<20).map { _ in try RawConnection(port: running.port) }
        let health = try await RawConnection.requestOffPool(port: running.port, "GET /health HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n")
        #expect(health.status == "HTTP/1.1 200 OK", "\(health.text)")
        // The first ones were accepted and then closed by the collector (EOF, not the read timeout).
        for connection in idle.prefix(4) { #expect(try await connection.readToEndOffPool().isEmpty) }
        await running.stop()
    }

    @Test("a request head not complete within the idle timeout is closed (the header-read timeout), and so is a silent connection")
    func headerReadTimeout() async throws {
        let folder = Folder()
        let api = try makeAPI(folder, limits: CollectorLimits(idleTimeout: .milliseconds(300)))
        let running = try await RunningCollector.start(api: api)
        let partial = try RawConnection(port: running.port)
        try partial.send("GET /health HTTP/1.1\r\nHost: c\r\nX-Slow: ")
        #expect(try await partial.readToEndOffPool().isEmpty)
        let silent = try RawConnection(port: running.port)
        #expect(try await silent.readToEndOffPool().isEmpty)
        // After an answer on a kept-alive connection, the timeout starts again and closes it.
        let kept = try RawConnection(port: running.port)
        try kept.send("GET /health HTTP/1.1\r\nHost: c\r\n\r\n")
        let answer = String(decoding: try await kept.readToEndOffPool(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 200 OK"))
        await running.stop()
    }

    @Test("through the socket: a body beyond max-concurrent-bodies is 503 with Retry-After, then accepted when a permit is free")
    func concurrentBodiesOverSocket() async throws {
        let folder = Folder()
        let api = try makeAPI(folder, limits: CollectorLimits(maxConcurrentBodies: 1))
        let running = try await RunningCollector.start(api: api)
        #expect(api.bodies.tryAcquire())
        let body = try Self.gzip(WireEncoder.encode(Self.beat))
        let head = "POST /v1/heartbeat HTTP/1.1\r\nHost: c\r\nConnection: close\r\nAuthorization: Bearer \(Self.token)\r\n"
            + "Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: \(body.readableBytes)\r\n\r\n"
        let refused = try await RawConnection.requestOffPool(port: running.port, head, body: Array(body.readableBytesView))
        #expect(refused.status == "HTTP/1.1 503 Service Unavailable", "\(refused.text)")
        #expect(refused.text.lowercased().contains("retry-after: 1\r\n"))
        api.bodies.release()
        let accepted = try await RawConnection.requestOffPool(port: running.port, head, body: Array(body.readableBytesView))
        #expect(accepted.status == "HTTP/1.1 204 No Content", "\(accepted.text)")
        await running.stop()
    }
}

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

final class Folder: Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "smiley-collector-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o644) -> String {
        let target = path + "/" + name
        _ = FileManager.default.createFile(atPath: target, contents: Data(text.utf8))
        chmod(target, mode_t(mode))
        return target
    }
}

@Suite("smiley-collector: configuration, tokens, request validation, storage")
struct CollectorTests {
    @Test func configurationWithDefaultsAndRelativePaths() throws {
        let folder = Folder()
        let path = folder.write("collector.yaml", "database: data/c.sqlite\ntokens-file: tokens\n")
        let config = try CollectorConfiguration.load(path: path)
        #expect(config == CollectorConfiguration(host: "127.0.0.1", port: 8080, database: folder.path + "/data/c.sqlite",
                                                 tokensFile: folder.path + "/tokens"))
    }

    @Test(arguments: [
        ("database: c\ntokens-file: t\nprot: 80\n", "prot: unknown key"),
        ("database: c\ntokens-file: t\nport: 70000\n", "port: \"70000\" is not allowed"),
        ("tokens-file: t\n", "database: required"),
        ("database: c\ntokens-file: \"\"\n", "tokens-file: must not be empty"),
        ("database: [a, b]\ntokens-file: t\n", "database: expected a single value"),
        ("- a\n", "expected a mapping"),
    ])
    func configurationErrors(yaml: String, says: String) {
        let folder = Folder()
        let path = folder.write("collector.yaml", yaml)
        #expect {
            _ = try CollectorConfiguration.load(path: path)
        } throws: { error in
            (error as? CollectorConfigError)?.description.contains(says) == true
        }
    }

    @Test("tokens-file is optional: without it every credential is in the database")
    func withoutTokensFile() throws {
        let folder = Folder()
        let config = try CollectorConfiguration.load(path: folder.write("collector.yaml", "database: c\n"))
        #expect(config.tokensFile == nil)
        #expect(config == CollectorConfiguration(database: folder.path + "/c"))
    }

    @Test func tokensFile() throws {
        let folder = Folder()
        let path = folder.write("tokens", """
            # terminal-id token
            store-1-door  0123456789abcdef0123   # the door
            store-1-till\tfedcba9876543210fedc

            """, mode: 0o600)
        let table = try TokenTable.load(path: path)
        #expect(table.count == 2)
        #expect(table.terminal(forToken: "0123456789abcdef0123") == "store-1-door")
        #expect(table.terminal(forToken: "fedcba9876543210fedc") == "store-1-till")
        #expect(table.terminal(forToken: "0123456789abcdef012") == nil)

        for (text, mode, says) in [
            ("a 0123456789abcdef0123\n", 0o644, "open to its group or others"),
            ("a 0123456789abcdef0123 extra\n", 0o600, ":1: expected `terminal-id token`, got 3 field(s)"),
            ("a short\n", 0o600, "shorter than 16 characters"),
            ("a 0123456789abcdef0123\nb 0123456789abcdef0123\n", 0o600, ":2: this token is already given to another terminal on line 1"),
            ("a 0123456789abcdef0123\na 0123456789abcdef9999\n", 0o600, ":2: terminal a already has a token on line 1"),
            ("# nothing\n", 0o600, "lists no terminal"),
        ] {
            let bad = folder.write("bad", text, mode: mode)
            do {
                _ = try TokenTable.load(path: bad)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(says), "\(error)")
                #expect(!error.description.contains("0123456789abcdef"))
            }
        }
    }

    // The decoder's own tests (validation messages, JSON grammar, the differential test against
    // JSONSerialization) are SmileyWireTests'.

    @Test("storage: a batch and its key commit together; a replay returns the stored answer; ids stored once")
    func storage() async throws {
        let folder = Folder()
        let storage = try SQLiteCollectorStorage(path: folder.path + "/c.sqlite")
        let body = #"{"terminal":"t","site":"s","batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","samples":[{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"q","button":3,"buttonName":"b","scale":4,"recordedAt":"2026-11-22T23:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null}]}"#
        let batch = try WireDecoder.batch(from: Data(body.utf8))
        #expect(batch.samples[0].localDay == "2026-11-23")
        let first = try await storage.submit(batch, terminal: "t", key: batch.key, fingerprint: Data([1]), receivedAtMs: 1)
        let replay = try await storage.submit(batch, terminal: "t", key: batch.key, fingerprint: Data([1]), receivedAtMs: 2)
        let other = try await storage.submit(batch, terminal: "t", key: batch.key, fingerprint: Data([2]), receivedAtMs: 3)
        let otherKey = try await storage.submit(batch, terminal: "t", key: "another", fingerprint: Data([1]), receivedAtMs: 4)
        guard case .stored(let result) = first, case .replayed(let again) = replay, case .stored(let dup) = otherKey else {
            Issue.record("\(first) \(replay) \(otherKey)")
            return
        }
        #expect(result == again)
        #expect(String(decoding: result.body, as: UTF8.self) == #"{"batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","accepted":1,"duplicates":0}"#)
        #expect(String(decoding: dup.body, as: UTF8.self).contains(#""accepted":0,"duplicates":1"#))
        #expect(other == .payloadMismatch)
        #expect(try await storage.health() == StorageHealth(samples: 1, batches: 2, terminals: 1))
        // The count survives a restart.
        let reopened = try SQLiteCollectorStorage(path: folder.path + "/c.sqlite")
        #expect(try await reopened.health().samples == 1)
    }

    // MARK: Over HTTP (in process)

    static let token = "0123456789abcdef0123456789abcdef"

    /// Runs `test` against the collector's router in this process (no sockets).
    func withCollector(_ test: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        let folder = Folder()
        let storage = try SQLiteCollectorStorage(path: folder.path + "/c.sqlite")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let api = CollectorAPI(storage: storage, tokens: TokenTable(pairs: [(terminal: "t", token: Self.token)]),
                               maxBodyBytes: 4 * 1024 * 1024,
                               // The body's bound and nesting are tested here; the heartbeat's own cap in CollectorLimitsTests.
                               limits: CollectorLimits(maxHeartbeatBytes: 4 * 1024 * 1024), logger: logger)
        try await Application(router: api.router(), logger: logger).test(.router) { client in
            try await test(client)
            withExtendedLifetime(folder) {}
        }
    }

    static func headers(gzip: Bool, key: String? = nil) -> HTTPFields {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if gzip { headers[.contentEncoding] = "gzip" }
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return headers
    }

    static func body(_ text: String, gzip: Bool) throws -> ByteBuffer {
        var plain = ByteBuffer(string: text)
        return gzip ? try plain.compress(with: .gzip()) : plain
    }

    static func errorMessage(_ body: ByteBuffer) throws -> String {
        try WireDecoder.errorBody(from: Array(body.readableBytesView)).error
    }

    @Test("deeply nested JSON gets a clear 400, not a crash: under a member a batch does not have, in samples, in a heartbeat",
          arguments: [true, false])
    func deepNesting(gzip: Bool) async throws {
        let deep = String(repeating: "[", count: 1_000_000)
        let key = "0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10"
        try await withCollector { client in
            let unknown = try Self.body(#"{"extra":\#(deep)"#, gzip: gzip)
            if gzip { #expect(unknown.readableBytes < 2048) }
            try await client.execute(uri: "/v1/batches", method: .post, headers: Self.headers(gzip: gzip, key: key), body: unknown) { response in
                #expect(response.status == .badRequest)
                let message = try Self.errorMessage(response.body)
                #expect(message == "the body is not a batch: at byte 1: extra: not a member here; allowed: terminal, site, batch, samples")
            }
            let inSamples = try Self.body(#"{"terminal":"t","samples":\#(deep)"#, gzip: gzip)
            try await client.execute(uri: "/v1/batches", method: .post, headers: Self.headers(gzip: gzip, key: key), body: inSamples) { response in
                #expect(response.status == .badRequest)
                let message = try Self.errorMessage(response.body)
                #expect(message.contains("samples[0]: expected an object"))
            }
            let heartbeat = try Self.body(#"{"terminal":"t","future":\#(deep)"#, gzip: gzip)
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: gzip), body: heartbeat) { response in
                #expect(response.status == .badRequest)
                let message = try Self.errorMessage(response.body)
                #expect(message.hasPrefix("the body is not a heartbeat: at byte "))
                #expect(message.contains("future: objects and lists nest deeper than \(WireDecoder.maxDepth) levels"))
            }
        }
    }

    @Test("the body's size bound holds, before and after decompression")
    func bodySizeBound() async throws {
        try await withCollector { client in
            let large = String(repeating: " ", count: 4 * 1024 * 1024 + 1)
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: false), body: ByteBuffer(string: large)) { response in
                #expect(response.status == .contentTooLarge)
                let message = try Self.errorMessage(response.body)
                #expect(message == "the body is larger than 4194304 bytes")
            }
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: true), body: try Self.body(large, gzip: true)) { response in
                #expect(response.status == .contentTooLarge)
                let message = try Self.errorMessage(response.body)
                #expect(message == "the body is larger than 4194304 bytes once decompressed")
            }
        }
    }

    @Test("heartbeats over HTTP: accepted (204), a missing member named (400), another terminal's refused (403); errors are the documented body")
    func heartbeats() async throws {
        let beat = Heartbeat(terminal: "t", site: "s", version: "0.1.0", sentAt: "2026-11-22T09:15:02.123Z", uptimeSeconds: 1, backlog: 0,
                             lastPressAt: nil, lastSyncAt: nil, clockSynchronized: true, heldButtons: [], diskFreeBytes: nil, lowDisk: false,
                             quarantinedBatches: 0, quarantinedSamples: 0, lastError: nil)
        try await withCollector { client in
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: false),
                                     body: ByteBuffer(bytes: WireEncoder.encode(beat))) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: false),
                                     body: ByteBuffer(string: #"{"terminal":"t","site":"s"}"#)) { response in
                #expect(response.status == .badRequest)
                let message = try Self.errorMessage(response.body)
                #expect(message.hasPrefix("the heartbeat lacks version, sentAt"))
            }
            var other = beat
            other.terminal = "u"
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers(gzip: false),
                                     body: ByteBuffer(bytes: WireEncoder.encode(other))) { response in
                #expect(response.status == .forbidden)
                let message = try Self.errorMessage(response.body)
                #expect(message == "this token belongs to terminal t, the heartbeat says u")
            }
            try await client.execute(uri: "/v1/batches", method: .get, headers: Self.headers(gzip: false)) { response in
                #expect(response.status == .methodNotAllowed)
                let message = try Self.errorMessage(response.body)
                #expect(message == "use POST for /v1/batches")
            }
        }
    }
}

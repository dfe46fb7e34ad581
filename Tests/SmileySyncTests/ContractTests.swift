import AsyncHTTPClient
import SmileyCore
import Foundation
import Hummingbird
import NIOHTTP1
import NIOCore
import SmileyCollector
import Synchronization
import Testing
import Yams
@testable import SmileyStore
@testable import SmileySync

/// The real client (UploadClient, as smileyd uses it) against the real collector on 127.0.0.1.
@Suite("Contract: smileyd's client against smiley-collector")
struct ContractTests {
    @Test("a batch is stored and acknowledged with a receipt; a replay gets the stored result; samples dedupe by id", arguments: [true, false])
    func deliverReplayDedupe(gzip: Bool) async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder)
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        let samples = try terminal.seed(7)
        let batch = try #require(try await terminal.store.nextBatch(BatchSelection(limit: 5), nowMs: wallNow()))
        let client = try collector.client(gzip: gzip)
        defer { Task { await client.shutdown() } }

        guard case .delivered(let status, let receipt) = await client.send(batch, nowMs: wallNow) else {
            Issue.record("not delivered")
            return
        }
        #expect(status == 200)
        #expect(receipt == BatchReceipt(batch: batch.id.uuidString.lowercased(), accepted: 5, duplicates: 0))

        // The same request again (a lost answer): the stored result, nothing stored twice.
        guard case .delivered(_, let replay) = await client.send(batch, nowMs: wallNow) else {
            Issue.record("replay not delivered")
            return
        }
        #expect(replay == receipt)
        #expect(collector.storage.outcomes.withLock { $0 } == ["stored": 1, "replayed": 1])

        // The same samples under another key: accepted as duplicates, still one row each.
        var other = batch
        other.id = UUID()
        guard case .delivered(_, let duplicate) = await client.send(other, nowMs: wallNow) else {
            Issue.record("second key not delivered")
            return
        }
        #expect(duplicate.accepted == 0 && duplicate.duplicates == 5)
        let stored = try await collector.storage.inner.storedSamples()
        let firstFive = stored.map(\.id) == samples.prefix(5).map(\.id)
        #expect(firstFive)
        let first = try #require(stored.first)
        #expect(first.terminal == "terminal-a" && first.site == "site-1" && first.survey == "checkout")
        #expect(first.recordedAtMs == samples[0].recordedAtMs && first.utcOffsetSeconds == 7200 && first.clockSynchronized)
        #expect(stored[3].misuse == "interval" && stored[0].misuse == nil)
        #expect(try await collector.storage.inner.acceptedTotal() == 5)
    }

    @Test("Idempotency-Key semantics over HTTP: missing 400, different payload 422, in progress 409")
    func idempotencyKeyRules() async throws {
        let folder = TemporaryFolder()
        let gate = Gate()
        let collector = try await CollectorFixture.start(folder: folder, slowdown: { await gate.passIfOpen() })
        defer { Task { await collector.stop() } }
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        defer { Task { try? await http.shutdown() } }
        let token = try #require(collector.tokens["terminal-a"])
        let key = UUID().uuidString.lowercased()
        func body(button: Int) -> String {
            #"{"terminal":"terminal-a","site":"s","batch":"\#(key)","samples":[{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"q","button":\#(button),"buttonName":"b","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null}]}"#
        }
        func post(_ text: String, key: String?, token: String? = token) async throws -> (Int, String, HTTPHeaders) {
            var request = HTTPClientRequest(url: collector.url + "/v1/batches")
            request.method = .POST
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            if let key { request.headers.add(name: "Idempotency-Key", value: key) }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: text))
            let response = try await http.execute(request, timeout: .seconds(10))
            let answer = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: answer), response.headers)
        }

        #expect(try await post(body(button: 1), key: nil).0 == 400)
        #expect(try await post(body(button: 1), key: key, token: nil).0 == 401)
        #expect(try await post(body(button: 1), key: key, token: "wrong-token-0000000000").0 == 401)
        #expect(try await post(body(button: 1), key: UUID().uuidString).0 == 400)  // not the batch's id
        #expect(try await post(body(button: 9), key: key).0 == 400)                 // button outside the scale

        // First request held inside the storage: a retry with the same key meets it in progress.
        await gate.close()
        async let first = post(body(button: 1), key: key)
        #expect(await gate.waitingCount.holds(within: .seconds(30)) { $0 > 0 })
        #expect(await gate.waiting > 0)
        let conflict = try await post(body(button: 1), key: key)
        #expect(conflict.0 == 409)
        #expect(conflict.2.first(name: "Retry-After") == "1")
        await gate.open()
        let stored = try await first
        #expect(stored.0 == 200)
        #expect(stored.1.contains(#""accepted":1"#))

        let replay = try await post(body(button: 1), key: key)
        #expect(replay.0 == 200 && replay.1 == stored.1)
        #expect(replay.2.first(name: "Idempotent-Replayed") == "true")
        let mismatch = try await post(body(button: 2), key: key)
        #expect(mismatch.0 == 422)
        #expect(mismatch.1.contains("different payload"))
        // Another terminal's token for this terminal's batch.
        let foreign = try await post(body(button: 1), key: key, token: collector.tokens["terminal-b"])
        #expect(foreign.0 == 403)
    }

    @Test("the client classifies answers: 4xx refused, 5xx/429/409 retried with Retry-After, 2xx without a receipt retried")
    func classification() async throws {
        let folder = TemporaryFolder()
        let script = ScriptedAnswers()
        let collector = try await CollectorFixture.start(folder: folder, middlewares: [script])
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(3)
        let batch = try #require(try await terminal.store.nextBatch(BatchSelection(limit: 3), nowMs: wallNow()))
        let client = try collector.client()
        defer { Task { await client.shutdown() } }
        let date = Date().addingTimeInterval(120)

        let cases: [(ScriptedAnswers.Answer, (SendOutcome) -> Bool)] = [
            (.status(503, retryAfter: "7"), { if case .retry(let r) = $0 { r.kind == .busy && r.status == 503 && r.retryAfter == .seconds(7) } else { false } }),
            (.status(429, retryAfter: RetryAfter.httpDateString(date)), {
                if case .retry(let r) = $0, let wait = r.retryAfter { r.status == 429 && wait > .seconds(100) && wait <= .seconds(121) } else { false } }),
            (.status(408, retryAfter: nil), { if case .retry(let r) = $0 { r.kind == .busy } else { false } }),
            (.status(409, retryAfter: nil), { if case .retry(let r) = $0 { r.kind == .inProgress } else { false } }),
            (.status(500, retryAfter: nil), { if case .retry(let r) = $0 { r.kind == .busy } else { false } }),
            (.status(302, retryAfter: nil), { if case .retry(let r) = $0 { r.kind == .unexpected } else { false } }),
            (.status(400, retryAfter: nil), { if case .refused(400, _) = $0 { true } else { false } }),
            (.status(404, retryAfter: nil), { if case .refused(404, _) = $0 { true } else { false } }),
            (.html200, { if case .retry(let r) = $0 { r.kind == .unexpected && r.message.contains("HTML") } else { false } }),
            (.wrongReceipt, { if case .retry(let r) = $0 { r.kind == .unexpected } else { false } }),
        ]
        for (answer, check) in cases {
            script.next.withLock { $0 = answer }
            let outcome = await client.send(batch, nowMs: wallNow)
            #expect(check(outcome), "\(answer): \(outcome)")
        }
        // Nothing of the above stored anything.
        #expect(try await collector.storage.inner.storedSamples().isEmpty)
        // A refusal's reason carries the receiver's message, never the token.
        script.next.withLock { $0 = .echoToken }
        guard case .refused(_, let reason) = await client.send(batch, nowMs: wallNow) else {
            Issue.record("expected a refusal")
            return
        }
        let token = try #require(collector.tokens["terminal-a"])
        #expect(!reason.contains(token))
        #expect(reason.contains("[token]"))
    }

    @Test("an echoed token never reaches a message: escaped, URL- or base64-encoded, hex, past a cut, or in a 401")
    func echoedTokenScrubbed() async throws {
        let folder = TemporaryFolder()
        let script = ScriptedAnswers()
        let collector = try await CollectorFixture.start(folder: folder, middlewares: [script])
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(1)
        let batch = try #require(try await terminal.store.nextBatch(BatchSelection(limit: 1), nowMs: wallNow()))
        let client = try collector.client()
        defer { Task { await client.shutdown() } }
        let token = try #require(collector.tokens["terminal-a"])
        let everyBytePercent = token.utf8.map { String(format: "%%%02X", $0) }.joined()
        let base64 = Data("Bearer \(token)".utf8).base64EncodedString()
        let hex = token.utf8.map { String(format: "%02x", $0) }.joined()
        let filler = String(repeating: "x", count: 190)
        let answers: [ScriptedAnswers.Answer] = [
            .answer(400, location: nil, body: #"{"error":"bad \#(token.replacingOccurrences(of: "-", with: "\\u002d"))"}"#),
            .answer(400, location: nil, body: #"{"error":"bad credentials \#(everyBytePercent)"}"#),
            .answer(422, location: nil, body: #"{"error":"got Authorization: Basic \#(base64)"}"#),
            .answer(400, location: nil, body: "token hex \(hex)"),
            .answer(503, location: nil, body: filler + token),
            .answer(401, location: nil, body: "unknown token \(token)"),
            .answer(403, location: nil, body: "this token \(token) may not write here"),
            .answer(302, location: "https://elsewhere.example/" + filler + "?t=" + token, body: ""),
        ]
        for answer in answers {
            script.next.withLock { $0 = answer }
            let message: String
            switch await client.send(batch, nowMs: wallNow) {
            case .retry(let reason): message = reason.message
            case .refused(_, let reason): message = reason
            case .delivered: Issue.record("\(answer) was taken as delivered"); continue
            }
            // Neither the token nor a piece of it, in any of the encodings.
            for form in [token, String(token.prefix(8)), String(token.suffix(8)), everyBytePercent, hex,
                         String(base64.dropFirst(12).dropLast(4))] {
                #expect(!message.contains(form), "\(answer): \(message)")
            }
        }
        script.next.withLock { $0 = .answer(401, location: nil, body: "unknown token \(token)") }
        guard case .refused(401, let reason) = await client.send(batch, nowMs: wallNow) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reason.hasSuffix("the token was not accepted"), "\(reason)")
    }

    @Test("no receiver at all: a network retry, with a message that says so")
    func nobodyListens() async throws {
        let folder = TemporaryFolder()
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(1)
        let batch = try #require(try await terminal.store.nextBatch(BatchSelection(limit: 1), nowMs: wallNow()))
        let port = try freePort()
        let client = try UploadClient(endpoint: UploadEndpoint(baseURL: "http://127.0.0.1:\(port)", token: BearerToken(unchecked: "secret-token-123"), connectTimeout: .seconds(1)),
                                      logger: quietLogger)
        defer { Task { await client.shutdown() } }
        guard case .retry(let reason) = await client.send(batch, nowMs: wallNow) else {
            Issue.record("expected a retry")
            return
        }
        #expect(reason.kind == .network)
        #expect(reason.message.contains("no answer from http://127.0.0.1:\(port)/v1/batches"))
        #expect(!reason.message.contains("secret-token-123"))
    }

    /// A schema of api/openapi.yaml (SmileyWireTests.OpenAPIDocumentTests holds the document to the wire types).
    static func schema(_ name: String) throws -> [String: Any] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("api/openapi.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        return try #require(schemas[name] as? [String: Any])
    }

    @Test("the client sends exactly the documented fields, and the documented example is accepted by the collector")
    func batchFields() async throws {
        let sample = try Self.schema("Sample")
        let batchSchema = try Self.schema("Batch")
        let folder = TemporaryFolder()
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(1)
        let batch = try #require(try await terminal.store.nextBatch(BatchSelection(limit: 1), nowMs: wallNow()))
        let sent = try #require(try JSONSerialization.jsonObject(with: Data(batch.wireBody.readableBytesView)) as? [String: Any])
        #expect(Set(sent.keys) == Set(try #require(batchSchema["required"] as? [String])))
        let first = try #require((sent["samples"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == Set(try #require(sample["required"] as? [String])))
        #expect(Set(first.keys) == Set(try #require(sample["properties"] as? [String: Any]).keys))

        // The example, posted as documented, gets a documented receipt.
        let example = try #require(batchSchema["example"] as? [String: Any])
        let collector = try await CollectorFixture.start(folder: folder, terminals: ["store-12-entrance"])
        defer { Task { await collector.stop() } }
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        defer { Task { try? await http.shutdown() } }
        var request = HTTPClientRequest(url: collector.url + "/v1/batches")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(collector.tokens["store-12-entrance"] ?? "")")
        request.headers.add(name: "Idempotency-Key", value: example["batch"] as? String ?? "")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: example)))
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status.code == 200)
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
        #expect(Set(receipt.keys) == Set(try #require(try Self.schema("Receipt")["required"] as? [String])))
        #expect(receipt["accepted"] as? Int == 1)
    }

    @Test("heartbeat, summary across terminals, terminals and health")
    func heartbeatAndSummary() async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder)
        defer { Task { await collector.stop() } }
        // Two terminals of one site, the same local day (UTC+2); one flagged press.
        for (terminal, buttons) in [("terminal-a", [3, 3, 2, 0]), ("terminal-b", [3, 1])] {
            let db = try TerminalDatabase(folder: folder, name: "\(terminal).sqlite")
            let seeded = try db.seed(buttons.count, terminal: terminal, misuseEvery: 1000)
            let samples = zip(seeded, buttons).map { sample, button in var s = sample; s.button = button; return s }
            try await db.pool.write { db in
                for (index, sample) in samples.enumerated() {
                    try db.execute(sql: "UPDATE sample SET button = ?, button_name = ?, misuse = ? WHERE uuid = ?",
                                   arguments: [sample.button, ["very-unhappy", "unhappy", "happy", "very-happy"][sample.button],
                                               terminal == "terminal-b" && index == 1 ? "simultaneous" : nil, sample.id])
                }
            }
            let batch = try #require(try await db.store.nextBatch(BatchSelection(limit: 10), nowMs: wallNow()))
            let client = try collector.client(terminal: terminal)
            guard case .delivered = await client.send(batch, nowMs: wallNow) else {
                Issue.record("\(terminal) not delivered")
                return
            }
            let heartbeat = Heartbeat(terminal: terminal, site: "site-1", version: "0.1.0", sentAt: RFC3339.string(ms: wallNow()),
                                      uptimeSeconds: 60, backlog: 0, lastPressAt: nil, lastSyncAt: nil, clockSynchronized: true,
                                      heldButtons: terminal == "terminal-b" ? ["happy"] : [], diskFreeBytes: 1 << 30, lowDisk: false,
                                      quarantinedBatches: 0, quarantinedSamples: 0, lastError: nil)
            guard case .success(204) = await client.sendHeartbeat(heartbeat) else {
                Issue.record("heartbeat failed")
                return
            }
            await client.shutdown()
        }
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        defer { Task { try? await http.shutdown() } }
        func get(_ path: String, token: String?) async throws -> (Int, Data) {
            var request = HTTPClientRequest(url: collector.url + path)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await http.execute(request, timeout: .seconds(5))
            return (Int(response.status.code), Data(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        // Terminals' tokens read nothing: an admin credential reads (#10, item 6).
        let token = "admin-" + UUID().uuidString.lowercased()
        _ = try await collector.storage.addCredential(.admin, digest: TokenDigest.of(token), createdAtMs: 0)
        // 2026-11-22T09:00Z + 2 h offset: the local day is 2026-11-22.
        let (status, data) = try await get("/v1/summary?site=site-1&day=2026-11-22", token: token)
        #expect(status == 200)
        let summary = try JSONDecoder().decode(SiteDaySummary.self, from: data)
        #expect(summary.terminals == ["terminal-a", "terminal-b"])
        let survey = try #require(summary.surveys.first)
        // Counted: a: 3,3,2,0; b: 3 (the simultaneous 1 is left out).
        #expect(survey.buttons.map(\.count) == [1, 0, 1, 3])
        #expect(survey.accepted == 5 && survey.misuse["simultaneous"] == 1)
        #expect(survey.satisfactionIndex == 73.3)
        let withMisuse = try JSONDecoder().decode(SiteDaySummary.self, from: try await get("/v1/summary?site=site-1&day=2026-11-22&includeMisuse=true", token: token).1)
        #expect(withMisuse.surveys.first?.buttons.map(\.count) == [1, 1, 1, 3])
        #expect(try await get("/v1/summary?site=site-1&day=2026-11-21", token: token).1.count > 0)
        #expect(try await get("/v1/summary?site=site-1&day=22.11.2026", token: token).0 == 400)
        #expect(try await get("/v1/summary?site=site-1&day=2026-11-22", token: nil).0 == 401)

        let terminals = try JSONDecoder().decode([TerminalInfo].self, from: try await get("/v1/terminals", token: token).1)
        #expect(terminals.map(\.terminal) == ["terminal-a", "terminal-b"])
        #expect(terminals.map(\.samples) == [4, 2])
        #expect(terminals[1].heartbeat?.heldButtons == ["happy"])

        let health = try await get("/health", token: nil)
        #expect(health.0 == 200)
        #expect(String(decoding: health.1, as: UTF8.self) == #"{"status":"ok","samples":6,"batches":2,"terminals":2}"#)
    }
}

/// Holds requests inside the storage while closed.
actor Gate {
    private var closed = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// How many requests wait at the gate, for a test to await.
    nonisolated let waitingCount = Observed(0)
    var waiting: Int { waiters.count }

    func close() { closed = true }

    func open() {
        closed = false
        waiters.forEach { $0.resume() }
        waiters.removeAll()
        waitingCount.set(0)
    }

    func passIfOpen() async {
        guard closed else { return }
        await withCheckedContinuation {
            waiters.append($0)
            waitingCount.set(waiters.count)
        }
    }
}

/// Answers the next batch request as scripted, without reaching the storage.
final class ScriptedAnswers: RouterMiddleware {
    typealias Context = BasicRequestContext

    enum Answer: Sendable, CustomStringConvertible {
        case status(Int, retryAfter: String?)
        case html200
        case wrongReceipt
        case echoToken
        case answer(Int, location: String?, body: String)

        var description: String {
            switch self {
            case .status(let code, let after): "HTTP \(code) Retry-After \(after ?? "-")"
            case .html200: "200 HTML"
            case .wrongReceipt: "200 wrong receipt"
            case .echoToken: "400 echoing the token"
            case .answer(let code, _, let body): "HTTP \(code) \(body.prefix(40))"
            }
        }
    }

    /// The answer to the next request only (then the real receiver answers again).
    let next = Mutex<Answer?>(nil)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let answer = self.next.withLock({ answer in
            defer { answer = nil }
            return answer
        }) else { return try await next(request, context) }
        switch answer {
        case .status(let code, let retryAfter):
            var headers = HTTPFields()
            if let retryAfter { headers[.retryAfter] = retryAfter }
            if (300..<400).contains(code) { headers[.location] = "https://elsewhere.example/v1/batches" }
            return Response(status: .init(code: code), headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: #"{"error":"scripted \#(code)"}"#)))
        case .html200:
            return Response(status: .ok, headers: [.contentType: "text/html"],
                            body: .init(byteBuffer: ByteBuffer(string: "<html><body>Welcome to the hotel Wi-Fi</body></html>")))
        case .wrongReceipt:
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"batch":"\#(UUID().uuidString)","accepted":3,"duplicates":0}"#)))
        case .answer(let code, let location, let body):
            var headers = HTTPFields()
            if let location { headers[.location] = location }
            return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .echoToken:
            let auth = request.headers[.authorization] ?? ""
            return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"bad credentials \#(auth)"}"#)))
        }
    }
}

/// A port nothing listens on (bound, then released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

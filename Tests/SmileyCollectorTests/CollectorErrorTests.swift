import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import SmileyWire
import Testing
@testable import SmileyCollector

/// Every error answer of the collector, its own and Hummingbird's, is the documented JSON body
/// (`{"error": …}`) with its status and headers, rendered by `CollectorHTTPError`.
@Suite("smiley-collector: error answers")
struct CollectorErrorTests {
    static let token = "0123456789abcdef0123456789abcdef"
    /// An admin credential's token (terminals' tokens read nothing).
    static let adminToken = "adminadminadmin0123456789abcdef"

    /// Runs `test` against the router in this process, with `storage` (a real one by default) and
    /// `middlewares` inside the collector's own; `logs` collects what the collector logs.
    func withCollector(storage: (any CollectorStorage)? = nil,
                       middlewares: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = [],
                       logs: RecordedLogs = RecordedLogs(),
                       _ test: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        let folder = Folder()
        let storage = try storage ?? SQLiteCollectorStorage(path: folder.path + "/c.sqlite")
        let logger = Logger(label: "test") { _ in RecordingLogHandler(logs: logs) }
        let api = CollectorAPI(storage: storage, tokens: TokenTable(pairs: [(terminal: "t", token: Self.token)]),
                               maxBodyBytes: 1024, logger: logger)
        try await Application(router: api.router(middlewares: middlewares), logger: logger).test(.router) { client in
            try await test(client)
            withExtendedLifetime(folder) {}
        }
    }

    static let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]

    /// The response's documented error body, checking its Content-Type.
    static func errorMessage(_ response: TestResponse) throws -> String {
        #expect(response.headers[.contentType] == "application/json")
        return try WireDecoder.errorBody(from: Array(response.body.readableBytesView)).error
    }

    @Test("a path the API does not have: 404 with the documented body naming the paths it has; HEAD gets no body")
    func unknownPath() async throws {
        try await withCollector { client in
            try await client.execute(uri: "/v2/batches", method: .post, headers: Self.headers) { response in
                #expect(response.status == .notFound)
                let message = try Self.errorMessage(response)
                #expect(message.hasPrefix("no such resource: POST /v2/batches; the collector answers "))
                #expect(message.contains("POST /v1/batches") && message.contains("GET /health"))
            }
            try await client.execute(uri: "/nowhere", method: .head) { response in
                #expect(response.status == .notFound)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test("Hummingbird's own errors keep their status and headers and get the documented body")
    func hummingbirdErrors() async throws {
        let throwing = Throwing()
        try await withCollector(middlewares: [throwing]) { client in
            // A body over the bound a middleware reads it with: NIOTooManyBytesError.
            throwing.next.withLock { $0 = .collectBody(upTo: 4) }
            try await client.execute(uri: "/v1/heartbeat", method: .post, headers: Self.headers,
                                     body: ByteBuffer(string: "{\"terminal\":\"t\"}")) { response in
                #expect(response.status == .contentTooLarge)
                let message = try Self.errorMessage(response)
                #expect(message == "the body is larger than the collector accepts")
            }
            throwing.next.withLock { $0 = .httpError(HTTPError(.tooManyRequests, headers: [.retryAfter: "3"])) }
            try await client.execute(uri: "/v1/terminals", method: .get, headers: Self.headers) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "3")
                let message = try Self.errorMessage(response)
                #expect(message == "Too Many Requests")
            }
            throwing.next.withLock { $0 = .httpError(HTTPError(.badRequest, message: "a message of its own")) }
            try await client.execute(uri: "/v1/terminals", method: .get, headers: Self.headers) { response in
                #expect(response.status == .badRequest)
                let message = try Self.errorMessage(response)
                #expect(message == "a message of its own")
            }
        }
    }

    @Test("an error nobody expected: 500 with the documented body, logged at error level")
    func unexpectedError() async throws {
        let throwing = Throwing()
        let logs = RecordedLogs()
        try await withCollector(middlewares: [throwing], logs: logs) { client in
            throwing.next.withLock { $0 = .other }
            try await client.execute(uri: "/v1/terminals", method: .get, headers: Self.headers) { response in
                #expect(response.status == .internalServerError)
                let message = try Self.errorMessage(response)
                #expect(message == "the collector failed to answer GET /v1/terminals; retry later")
            }
        }
        let failed = logs.entries.filter { $0.message == "request failed" }
        #expect(failed.count == 1)
        #expect(failed.first?.level == .error)
        #expect(failed.first?.text.contains("Unexpected") == true)
    }

    @Test("refusals carry their headers: 401 WWW-Authenticate, 405 Allow, 503 Retry-After; logged without the token")
    func refusalHeaders() async throws {
        let logs = RecordedLogs()
        try await withCollector(storage: FailingStorage(), logs: logs) { client in
            try await client.execute(uri: "/v1/terminals", method: .get, headers: [.authorization: "Bearer not-a-token-of-anyone"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="smiley-collector""#)
                let message = try Self.errorMessage(response)
                #expect(message == "a valid bearer token is required")
            }
            try await client.execute(uri: "/health", method: .post, headers: Self.headers) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD")
                let message = try Self.errorMessage(response)
                #expect(message == "use GET for /health")
            }
            let batch = #"{"terminal":"t","site":"s","batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","samples":[{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"q","button":1,"buttonName":"b","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null}]}"#
            var headers = Self.headers
            headers[HTTPField.Name("Idempotency-Key")!] = "0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10"
            try await client.execute(uri: "/v1/batches", method: .post, headers: headers, body: ByteBuffer(string: batch)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                let message = try Self.errorMessage(response)
                #expect(message == "the collector cannot store the batch now; retry later")
            }
            try await client.execute(uri: "/v1/terminals", method: .get,
                                     headers: [.authorization: "Bearer \(Self.adminToken)"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == nil)
                let message = try Self.errorMessage(response)
                #expect(message == "the terminals cannot be read now")
            }
        }
        let entries = logs.entries
        #expect(entries.contains { $0.level == .error && $0.message == "storing a batch failed" && $0.text.contains("terminal: t") })
        #expect(entries.filter { $0.message == "request refused" }.count == 4)
        #expect(entries.contains { $0.text.contains("status: 401") && $0.text.contains("path: /v1/terminals") })
        #expect(!entries.contains { $0.text.contains(Self.token) || $0.text.contains(Self.adminToken) || $0.text.contains("not-a-token-of-anyone") })
    }
}

/// Throws what it is told to, once, before the routes.
final class Throwing: RouterMiddleware {
    typealias Context = BasicRequestContext

    enum Next: Sendable {
        case collectBody(upTo: Int)
        case httpError(HTTPError)
        case other
    }

    struct Unexpected: Error {}

    let next = Mutex<Next?>(nil)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch self.next.withLock({ next in defer { next = nil }; return next }) {
        case .collectBody(let limit)?: _ = try await request.body.collect(upTo: limit)
        case .httpError(let error)?: throw error
        case .other?: throw Unexpected()
        case nil: break
        }
        return try await next(request, context)
    }
}

/// A storage that fails every call but the lookup of ``CollectorErrorTests/adminToken``'s credential
/// (so that a read gets as far as the storage).
struct FailingStorage: CollectorStorage {
    struct Failure: Error {}

    func submit(_ batch: WireBatch, terminal: String, key: String, fingerprint: Data, receivedAtMs: Int64) async throws -> SubmitOutcome {
        throw Failure()
    }
    func recordHeartbeat(_ heartbeat: Heartbeat, terminal: String, receivedAtMs: Int64) async throws { throw Failure() }
    func summary(site: String, day: String, includeMisuse: Bool) async throws -> SiteDaySummary { throw Failure() }
    func terminals() async throws -> [TerminalInfo] { throw Failure() }
    func health() async throws -> StorageHealth { throw Failure() }

    func addSite(_ site: Site) async throws { throw Failure() }
    func sites() async throws -> [Site] { throw Failure() }
    func site(id: String) async throws -> Site? { throw Failure() }
    func addCredential(_ scope: CredentialScope, digest: Data, createdAtMs: Int64) async throws -> Int64 { throw Failure() }
    func credential(digest: Data) async throws -> Credential? {
        digest == TokenDigest.of(CollectorErrorTests.adminToken) ? Credential(id: 1, scope: .admin, createdAtMs: 0, revokedAtMs: nil) : nil
    }
    func credentials() async throws -> [Credential] { throw Failure() }
    func revokeCredential(id: Int64, atMs: Int64) async throws -> Bool { throw Failure() }
    func bindTerminal(_ terminal: String, site: String, atMs: Int64) async throws -> String { throw Failure() }
    func terminalSite(_ terminal: String) async throws -> String? { throw Failure() }
    func terminalSites() async throws -> [String: String] { throw Failure() }
    func rangeSummary(_ filter: RollupFilter, includeMisuse: Bool, minSamples: Int) async throws -> RangeSummary { throw Failure() }
    func buckets(_ filter: RollupFilter, weekdays: Bool, includeMisuse: Bool, minSamples: Int) async throws -> [RollupBucket] {
        throw Failure()
    }
    func siteRanking(_ filter: RollupFilter, includeMisuse: Bool, minSamples: Int) async throws -> [SiteRank] { throw Failure() }
    func rollupMismatches() async throws -> [RollupMismatch] { throw Failure() }
}

/// What a logger was given, each entry with its metadata rendered as `key: value` text.
final class RecordedLogs: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var text: String
    }

    private let storage = Mutex<[Entry]>([])
    var entries: [Entry] { storage.withLock { $0 } }
    func append(_ entry: Entry) { storage.withLock { $0.append(entry) } }
}

struct RecordingLogHandler: LogHandler {
    let logs: RecordedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let text = ([event.message.description] + all.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }).joined(separator: " ")
        logs.append(RecordedLogs.Entry(level: event.level, message: event.message.description, text: text))
    }
}

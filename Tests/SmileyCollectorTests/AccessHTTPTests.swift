import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SmileyWire
import Testing
@testable import SmileyCollector

/// Scoped access over HTTP (#10, items 5 and 6), the same bodies on SQLite and PostgreSQL: sites
/// `a` and `b` in region south, `n` in region north; terminal credentials `ta` (site a) and `tn`
/// (site n); the tokens file's terminal `legacy`; viewers of site a and of region north; an admin.
@Suite("smiley-collector: sites and scoped credentials over HTTP", .postgresServer, .timeLimit(.minutes(3)))
struct AccessHTTPTests {
    typealias API = ContractAPI

    static let tokens = [
        "ta": "tok-ta-0123456789abcdef", "tn": "tok-tn-0123456789abcdef", "viewer-a": "tok-va-0123456789abcdef",
        "viewer-north": "tok-vn-0123456789abcdef", "admin": "tok-ad-0123456789abcdef", "legacy": "tok-lg-0123456789abcdef",
    ]

    /// The organisation above in `storage`; the credentials' ids by name.
    @discardableResult
    static func organise(_ storage: any CollectorStorage) async throws -> [String: Int64] {
        for (id, region) in [("a", "south"), ("b", "south"), ("n", "north")] {
            try await storage.addSite(try Site(id: id, region: region, timeZone: "Europe/Helsinki", openingHours: "mon-sat 08:00-20:00"))
        }
        let scopes: [String: CredentialScope] = [
            "ta": .terminal("ta", site: "a"), "tn": .terminal("tn", site: "n"),
            "viewer-a": .viewer(sites: ["a"], regions: []), "viewer-north": .viewer(sites: [], regions: ["north"]), "admin": .admin,
        ]
        var ids: [String: Int64] = [:]
        for (name, scope) in scopes {
            ids[name] = try await storage.addCredential(scope, digest: TokenDigest.of(tokens[name] ?? ""), createdAtMs: API.nowMs)
        }
        return ids
    }

    /// The API over `storage` (the tokens file holds `legacy`), logging into `logs`.
    static func run(_ storage: any CollectorStorage, logs: RecordedLogs,
                    _ test: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        let logger = Logger(label: "test") { _ in RecordingLogHandler(logs: logs) }
        let api = CollectorAPI(storage: storage, tokens: TokenTable(pairs: [(terminal: "legacy", token: tokens["legacy"] ?? "")]),
                               maxBodyBytes: 1024 * 1024, logger: logger, nowMs: { API.nowMs })
        try await Application(router: api.router(), logger: logger).test(.router, test)
        #expect(!logs.entries.contains { entry in tokens.values.contains { entry.text.contains($0) } }, "a token was logged")
    }

    static func headers(_ who: String, key: String? = nil) -> HTTPFields {
        var headers: HTTPFields = [.authorization: "Bearer \(tokens[who] ?? who)", .contentType: "application/json"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return headers
    }

    /// POSTs a batch of one sample as `who` for `terminal` at `site`: the status and the error message, if any.
    static func post(_ client: any TestClientProtocol, as who: String, terminal: String? = nil, site: String) async throws -> (HTTPResponse.Status, String) {
        let key = API.id()
        return try await client.execute(uri: "/v1/batches", method: .post, headers: headers(who, key: key),
                                        body: API.batch(terminal ?? who, site: site, key: key, [API.sample(API.id())])) { response in
            (response.status, response.status == .ok ? "" : (try? WireDecoder.errorBody(from: Array(response.body.readableBytesView)).error) ?? "")
        }
    }

    static func beat(_ client: any TestClientProtocol, as who: String, site: String) async throws -> (HTTPResponse.Status, String) {
        let beat = Heartbeat(terminal: who, site: site, version: "0.1.0", sentAt: "2026-11-22T09:15:02.123Z", uptimeSeconds: 1,
                             backlog: 0, lastPressAt: nil, lastSyncAt: nil, clockSynchronized: true, heldButtons: [],
                             diskFreeBytes: nil, lowDisk: false, quarantinedBatches: 0, quarantinedSamples: 0, lastError: nil)
        return try await client.execute(uri: "/v1/heartbeat", method: .post, headers: headers(who),
                                        body: ByteBuffer(bytes: WireEncoder.encode(beat))) { response in
            (response.status, response.status == .noContent ? "" : (try? WireDecoder.errorBody(from: Array(response.body.readableBytesView)).error) ?? "")
        }
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, as who: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .get, headers: headers(who)) { response in
            (response.status, String(buffer: response.body))
        }
    }

    static func terminals(_ client: any TestClientProtocol, as who: String) async throws -> [String] {
        let (status, body) = try await get(client, "/v1/terminals", as: who)
        #expect(status == .ok, "\(body)")
        return try JSONDecoder().decode([TerminalInfo].self, from: Data(body.utf8)).map(\.terminal)
    }

    static let summaryA = "/v1/summary?site=a&day=2026-11-22"
    static let summaryB = "/v1/summary?site=b&day=2026-11-22"
    static let summaryN = "/v1/summary?site=n&day=2026-11-22"

    @Test("a terminal posting another site's batch or heartbeat: 403 and nothing stored; its own site: stored",
          arguments: StorageBackend.allCases)
    func terminalWritesItsSiteOnly(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await Self.organise(harness.storage)
            try await Self.run(harness.storage, logs: RecordedLogs()) { client in
                let other = try await Self.post(client, as: "ta", site: "b")
                #expect(other.0 == .forbidden)
                #expect(other.1 == "terminal ta belongs to site a, the batch says site b; a terminal posts for its own site only")
                #expect(try await Self.post(client, as: "ta", terminal: "tn", site: "n").0 == .forbidden)
                let beat = try await Self.beat(client, as: "ta", site: "b")
                #expect(beat.0 == .forbidden)
                #expect(beat.1 == "terminal ta belongs to site a, the heartbeat says site b; a terminal posts for its own site only")
                #expect(try await Self.get(client, "/health", as: "none").1 == #"{"status":"ok","samples":0,"batches":0,"terminals":0}"#)
                #expect(try await Self.terminals(client, as: "admin") == [])

                #expect(try await Self.post(client, as: "ta", site: "a").0 == .ok)
                #expect(try await Self.beat(client, as: "ta", site: "a").0 == .noContent)
            }
            #expect(try await harness.samples().map { "\($0.terminal) \($0.site)" } == ["ta a"])
        }
    }

    @Test("a tokens-file terminal is bound to its first batch's site and refused for any other after",
          arguments: StorageBackend.allCases)
    func legacyBinding(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await Self.organise(harness.storage)
            try await Self.run(harness.storage, logs: RecordedLogs()) { client in
                // Not bound yet: a heartbeat is taken and binds nothing.
                #expect(try await Self.beat(client, as: "legacy", site: "b").0 == .noContent)
                #expect(try await Self.post(client, as: "legacy", site: "a").0 == .ok)
                let other = try await Self.post(client, as: "legacy", site: "b")
                #expect(other.0 == .forbidden)
                #expect(other.1 == "terminal legacy belongs to site a, the batch says site b; a terminal posts for its own site only")
                #expect(try await Self.beat(client, as: "legacy", site: "b").0 == .forbidden)
                #expect(try await Self.beat(client, as: "legacy", site: "a").0 == .noContent)
                // The viewer of site a sees it now.
                #expect(try await Self.terminals(client, as: "viewer-a") == ["legacy"])
            }
            #expect(try await harness.storage.terminalSite("legacy") == "a")
            #expect(try await harness.samples().map { "\($0.terminal) \($0.site)" } == ["legacy a"])
        }
    }

    @Test("a terminal's token reads nothing: 403 for summaries and terminals, whatever the site; /health is open",
          arguments: StorageBackend.allCases)
    func terminalsReadNothing(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await Self.organise(harness.storage)
            try await Self.run(harness.storage, logs: RecordedLogs()) { client in
                #expect(try await Self.post(client, as: "ta", site: "a").0 == .ok)
                for who in ["ta", "legacy"] {
                    for uri in [Self.summaryA, Self.summaryB, "/v1/summary", "/v1/terminals"] {
                        let (status, body) = try await Self.get(client, uri, as: who)
                        #expect(status == .forbidden, "\(who) \(uri)")
                        #expect(body.contains("may only post its own batches and heartbeats"), "\(body)")
                    }
                    #expect(try await Self.get(client, "/health", as: who).0 == .ok)
                }
            }
        }
    }

    @Test("a viewer of site a: a's summary and terminals; 403 for site b on every endpoint; posts nothing",
          arguments: StorageBackend.allCases)
    func viewerOfSite(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await Self.organise(harness.storage)
            try await Self.run(harness.storage, logs: RecordedLogs()) { client in
                #expect(try await Self.post(client, as: "ta", site: "a").0 == .ok)
                #expect(try await Self.post(client, as: "tn", site: "n").0 == .ok)
                let own = try await Self.get(client, Self.summaryA, as: "viewer-a")
                #expect(own.0 == .ok)
                #expect(try JSONDecoder().decode(SiteDaySummary.self, from: Data(own.1.utf8)).terminals == ["ta"])
                for uri in [Self.summaryB, Self.summaryN, "/v1/summary?site=nowhere&day=2026-11-22",
                            "/v1/summary?site=b&day=2026-11-22&includeMisuse=true"] {
                    let (status, body) = try await Self.get(client, uri, as: "viewer-a")
                    #expect(status == .forbidden, "\(uri)")
                    #expect(body.contains("this credential may read sites a; not site "), "\(body)")
                }
                #expect(try await Self.terminals(client, as: "viewer-a") == ["ta"])
                #expect(try await Self.post(client, as: "viewer-a", terminal: "ta", site: "a").0 == .forbidden)
                #expect(try await Self.beat(client, as: "viewer-a", site: "a").0 == .forbidden)
            }
            #expect(try await harness.samples().count == 2)
        }
    }

    @Test("a viewer of a region reads that region's sites only", arguments: StorageBackend.allCases)
    func viewerOfRegion(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await Self.organise(harness.storage)
            try await Self.run(harness.storage, logs: RecordedLogs()) { client in
                let posted = [try await Self.post(client, as: "ta", site: "a").0, try await Self.post(client, as: "tn", site: "n").0]
                #expect(posted == [.ok, .ok])
                #expect(try await Self.get(client, Self.summaryN, as: "viewer-north").0 == .ok)
                #expect(try await Self.get(client, Self.summaryA, as: "viewer-north").0 == .forbidden)
                #expect(try await Self.get(client, Self.summaryB, as: "viewer-north").0 == .forbidden)
                #expect(try await Self.terminals(client, as: "viewer-north") == ["tn"])
            }
        }
    }

    @Test("an admin reads every site and terminal and posts nothing", arguments: StorageBackend.allCases)
    func admin(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await Self.organise(harness.storage)
            try await Self.run(harness.storage, logs: RecordedLogs()) { client in
                #expect(try await Self.post(client, as: "ta", site: "a").0 == .ok)
                #expect(try await Self.post(client, as: "tn", site: "n").0 == .ok)
                #expect(try await Self.post(client, as: "legacy", site: "b").0 == .ok)
                for uri in [Self.summaryA, Self.summaryB, Self.summaryN, "/v1/summary?site=nowhere&day=2026-11-22"] {
                    #expect(try await Self.get(client, uri, as: "admin").0 == .ok, "\(uri)")
                }
                #expect(try await Self.terminals(client, as: "admin") == ["legacy", "ta", "tn"])
                let post = try await Self.post(client, as: "admin", terminal: "ta", site: "a")
                #expect(post.0 == .forbidden)
                #expect(post.1 == "only a terminal's own token may post batches; an admin credential reads only")
            }
        }
    }

    @Test("a revoked token is refused at once (401), and an unknown one", arguments: StorageBackend.allCases)
    func revoked(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let ids = try await Self.organise(harness.storage)
            let logs = RecordedLogs()
            try await Self.run(harness.storage, logs: logs) { client in
                let first = try await Self.post(client, as: "ta", site: "a")
                #expect(first.0 == .ok)
                #expect(try await Self.get(client, Self.summaryA, as: "viewer-a").0 == .ok)
                for name in ["ta", "viewer-a"] {
                    #expect(try await harness.storage.revokeCredential(id: try #require(ids[name]), atMs: API.nowMs))
                }
                #expect(try await Self.post(client, as: "ta", site: "a").0 == .unauthorized)
                #expect(try await Self.get(client, Self.summaryA, as: "viewer-a").0 == .unauthorized)
                #expect(try await Self.get(client, Self.summaryA, as: "tok-nobody-0123456789abcdef").0 == .unauthorized)
                #expect(try await Self.get(client, Self.summaryA, as: "admin").0 == .ok)
            }
            #expect(logs.entries.contains { $0.message == "revoked credential refused" && $0.text.contains("credential: \(ids["ta"] ?? 0)") })
            #expect(try await harness.samples().count == 1)
        }
    }

    @Test("a token revoked through one collector is refused at once by another on the same PostgreSQL")
    func revokedOnEveryCollector() async throws {
        let server = try #require(PostgresServerTrait.current)
        let database = try await server.createDatabase()
        try await StorageBackend.withPostgres(server, database: database) { first in
            let ids = try await Self.organise(first)
            try await StorageBackend.withPostgres(server, database: database) { second in
                try await Self.run(second, logs: RecordedLogs()) { client in
                    let before = try await Self.get(client, Self.summaryA, as: "viewer-a")
                    #expect(before.0 == .ok)
                    #expect(try await first.revokeCredential(id: try #require(ids["viewer-a"]), atMs: API.nowMs))
                    #expect(try await Self.get(client, Self.summaryA, as: "viewer-a").0 == .unauthorized)
                }
            }
        }
    }
}

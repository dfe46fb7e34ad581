import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SmileyTestSupport
import SmileyWire
import Testing
@testable import SmileyCollector

/// The collector's storages under one contract: each contract test runs its body on both.
enum StorageBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A storage of this kind, empty, with what it has stored (for checks beyond the API).
    struct Harness: Sendable {
        let storage: any CollectorStorage
        let samples: @Sendable () async throws -> [CollectedSample]
    }

    static let quiet: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    /// A fresh PostgreSQL storage on `server` (a database of its own), migrated (by `migrations`),
    /// its pool running for the length of `body`.
    static func withPostgres(_ server: TestPostgres, database: String? = nil,
                             clock: some Clock<Duration> = ContinuousClock(),
                             migrations: [PostgresMigration] = PostgresSchema.migrations,
                             _ body: @Sendable (PostgresCollectorStorage) async throws -> Void) async throws {
        let name: String
        if let database { name = database } else { name = try await server.createDatabase() }
        let settings = try PostgresSettings.parse(url: server.url(database: name)).get()
        let storage = try PostgresCollectorStorage(settings: settings, logger: quiet, environment: [:], clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await storage.run() }
            do {
                _ = try await storage.migrate(migrations)
                try await body(storage)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    func withStorage(_ body: @Sendable (Harness) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let folder = TemporaryFolder()
            let storage = try SQLiteCollectorStorage(path: folder.file("c.sqlite"))
            try await body(Harness(storage: storage, samples: { try await storage.storedSamples() }))
            withExtendedLifetime(folder) {}
        case .postgres:
            let server = try #require(PostgresServerTrait.current, "the suite needs the .postgresServer trait")
            try await Self.withPostgres(server) { storage in
                try await body(Harness(storage: storage, samples: { try await storage.storedSamples() }))
            }
        }
    }
}

/// The API over a storage, in this process: terminals `t`, `u` and `v` (the tokens file's), an
/// admin credential that reads (`"admin"`), the clock pinned.
enum ContractAPI {
    static let tokens = ["t": "tok-t-0123456789abcdef", "u": "tok-u-0123456789abcdef", "v": "tok-v-0123456789abcdef"]
    static let adminToken = "tok-admin-0123456789abcdef"
    /// 2026-11-22T09:20:00Z, what the API stamps as received.
    static let nowMs: Int64 = 1_795_339_200_000

    static func run(_ storage: any CollectorStorage,
                    _ test: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        if try await storage.credential(digest: TokenDigest.of(adminToken)) == nil {
            _ = try await storage.addCredential(.admin, digest: TokenDigest.of(adminToken), createdAtMs: nowMs)
        }
        let api = CollectorAPI(storage: storage, tokens: TokenTable(pairs: tokens.map { (terminal: $0.key, token: $0.value) }),
                               maxBodyBytes: 1024 * 1024, logger: StorageBackend.quiet, nowMs: { nowMs })
        try await Application(router: api.router(), logger: StorageBackend.quiet).test(.router, test)
    }

    static func headers(_ terminal: String, key: String? = nil) -> HTTPFields {
        let token = terminal == "admin" ? adminToken : tokens[terminal] ?? terminal
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return headers
    }

    static func id() -> String { UUID().uuidString.lowercased() }

    static func sample(_ id: String, survey: String = "q", button: Int = 3, name: String? = nil, misuse: String? = nil,
                       at: String = "2026-11-22T09:15:02.123Z") -> String {
        #"{"id":"\#(id)","survey":"\#(survey)","button":\#(button),"buttonName":"\#(name ?? "b\(button)")","scale":4,"recordedAt":"\#(at)","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":\#(misuse.map { "\"\($0)\"" } ?? "null")}"#
    }

    static func batch(_ terminal: String, site: String = "s", key: String, _ samples: [String]) -> ByteBuffer {
        ByteBuffer(string: #"{"terminal":"\#(terminal)","site":"\#(site)","batch":"\#(key)","samples":[\#(samples.joined(separator: ","))]}"#)
    }

    /// POSTs a batch; its status, body text and whether it was a replay.
    static func post(_ client: any TestClientProtocol, _ terminal: String, site: String = "s", key: String,
                     _ samples: [String]) async throws -> (HTTPResponse.Status, String, Bool) {
        try await client.execute(uri: "/v1/batches", method: .post, headers: headers(terminal, key: key),
                                 body: batch(terminal, site: site, key: key, samples)) { response in
            (response.status, String(buffer: response.body), response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
        }
    }

    /// `as`: a terminal of ``tokens``, `"admin"`, another token, or nil for none.
    static func get(_ client: any TestClientProtocol, _ uri: String, as terminal: String? = "admin") async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .get, headers: terminal.map { headers($0) } ?? [:]) { response in
            (response.status, String(buffer: response.body))
        }
    }
}

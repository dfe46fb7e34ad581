import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SmileyTestSupport
import SmileyWire
import Testing
@testable import SmileyCollector

/// What only the PostgreSQL storage has: its migrations under the advisory lock, the `migrate`
/// subcommand, and the answer while the server is away.
@Suite("smiley-collector on PostgreSQL: migrations, outages", .postgresServer, .timeLimit(.minutes(3)))
struct PostgresStorageTests {
    var server: TestPostgres {
        get throws { try #require(PostgresServerTrait.current) }
    }

    func storage(_ database: String, clock: some Clock<Duration> = ContinuousClock()) throws -> PostgresCollectorStorage {
        try PostgresCollectorStorage(settings: PostgresSettings.parse(url: server.url(database: database)).get(),
                                     logger: StorageBackend.quiet, environment: [:], clock: clock)
    }

    @Test("two collectors migrating a fresh database together both succeed, and every step is applied once")
    func concurrentMigrations() async throws {
        let server = try server
        let database = try await server.createDatabase()
        let first = try storage(database), second = try storage(database)
        async let a = first.migrate()
        async let b = second.migrate()
        let (appliedByA, appliedByB) = try await (a, b)
        let versions = PostgresSchema.migrations.map(\.version)
        #expect((appliedByA + appliedByB).sorted() == versions)
        #expect(appliedByA.isEmpty || appliedByB.isEmpty)
        #expect(try await server.psql(database, "SELECT count(*), max(version) FROM smiley_schema") == "\(versions.count)|\(versions.last ?? 0)")
        // Once current, a migration does nothing.
        #expect(try await first.migrate() == [])
    }

    @Test("a database migrated by a newer collector is refused with a clear message")
    func newerSchemaRefused() async throws {
        let server = try server
        let database = try await server.createDatabase()
        _ = try await storage(database).migrate()
        _ = try await server.psql(database, "INSERT INTO smiley_schema (version, name) VALUES (999, 'from the future')")
        await #expect {
            _ = try await storage(database).migrate()
        } throws: { error in
            (error as? PostgresSchemaError)?.description.contains("has schema version 999, newer than this smiley-collector knows (\(PostgresSchema.latestVersion))") == true
        }
    }

    @Test("smiley-collector migrate --config: migrates, then finds the schema current; a SQLite configuration is refused")
    func migrateCommand() async throws {
        let server = try server
        let database = try await server.createDatabase()
        let folder = TemporaryFolder()
        let tokens = folder.write("tokens", "t 0123456789abcdef0123\n", mode: 0o600)
        let config = folder.write("collector.yaml", "database: \(server.url(database: database))\ntokens-file: \(tokens)\n")
        let first = try await runProcessAsync(Binaries.collector, ["migrate", "--config", config])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("migrated postgresql://smiley@/\(database) (socket \(server.folder)/.s.PGSQL.5432) to schema version \(PostgresSchema.latestVersion)"), "\(first.stdout)")
        let second = try await runProcessAsync(Binaries.collector, ["migrate", "--config", config])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasSuffix("is current\n"), "\(second.stdout)")

        let sqlite = folder.write("sqlite.yaml", "database: c.sqlite\ntokens-file: \(tokens)\n")
        let refused = try await runProcessAsync(Binaries.collector, ["migrate", "--config", sqlite])
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("migrate is for PostgreSQL"), "\(refused.stderr)")

        // A database that is not there: exit 74 with the server's words.
        let missing = folder.write("missing.yaml", "database: \(server.url(database: "no_such_db"))\ntokens-file: \(tokens)\n")
        let absent = try await runProcessAsync(Binaries.collector, ["migrate", "--config", missing])
        #expect(absent.status == 74)
        #expect(absent.stderr.contains("cannot connect to the database") && absent.stderr.contains("no_such_db"), "\(absent.stderr)")
    }

    @Test("smiley-collector serves on PostgreSQL: migrates at start, answers /health, stops on SIGTERM; no server is exit 74")
    func serveProcess() async throws {
        let server = try server
        let database = try await server.createDatabase()
        let folder = TemporaryFolder()
        let tokens = folder.write("tokens", "t 0123456789abcdef0123\n", mode: 0o600)
        let config = folder.write("collector.yaml", "database: \(server.url(database: database))\ntokens-file: \(tokens)\nport: 0\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.collector)
        process.arguments = ["--config", config, "--log-level", "error"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let first = DataBox()
        Thread { first.set(out.fileHandleForReading.availableData) }.start()
        let line = String(decoding: try #require(await first.value()), as: UTF8.self)
        #expect(line.hasPrefix("listening http://127.0.0.1:"), "\(line)")
        let base = line.dropFirst("listening ".count).trimmingCharacters(in: .whitespacesAndNewlines)
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: base + "/health")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self) == #"{"status":"ok","samples":0,"batches":0,"terminals":0}"#)
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 0)
        #expect(try await server.psql(database, "SELECT max(version) FROM smiley_schema") == "\(PostgresSchema.latestVersion)")

        let nowhere = folder.write("nowhere.yaml", "database: postgresql://smiley@/smiley?host=\(folder.path)\ntokens-file: \(tokens)\n")
        let refused = try await runProcessAsync(Binaries.collector, ["--config", nowhere])
        #expect(refused.status == 74)
        #expect(refused.stderr.hasPrefix("smiley-collector: error: cannot connect to the database postgresql://smiley@/smiley (socket \(folder.path)/.s.PGSQL.5432)"), "\(refused.stderr)")
    }

    @Test("another request holding a batch's key: 409 in progress, from the lock in the database, not process memory")
    func keyInProgress() async throws {
        let server = try server
        try await StorageBackend.withPostgres(server) { storage in
            let key = ContractAPI.id()
            let body = ContractAPI.batch("t", key: key, [ContractAPI.sample(ContractAPI.id())])
            let batch = try WireDecoder.batch(from: Data(body.readableBytesView))
            // A second storage (another collector) holds the key's lock in an open transaction.
            let holder = try await storage.holdingKeyLock(terminal: "t", key: key) {
                try await storage.submit(batch, terminal: "t", key: key, fingerprint: Data([1]), receivedAtMs: 1)
            }
            #expect(holder == .inProgress)
            guard case .stored = try await storage.submit(batch, terminal: "t", key: key, fingerprint: Data([1]), receivedAtMs: 2) else {
                Issue.record("not stored once the lock was released")
                return
            }
        }
    }
}

/// A PostgreSQL server of its own, stopped and started again by the test.
@Suite("smiley-collector on PostgreSQL: the database goes away and comes back", .postgresServer, .timeLimit(.minutes(3)))
struct PostgresOutageTests {
    @Test("while PostgreSQL is down: 503 with Retry-After for batches and heartbeats, /health says so; recovers by itself")
    func outage() async throws {
        let server = try #require(PostgresServerTrait.current)
        let clock = DeadlineClock()
        try await StorageBackend.withPostgres(server, clock: clock) { storage in
            try await ContractAPI.run(storage) { client in
                #expect(try await ContractAPI.post(client, "t", key: ContractAPI.id(), [ContractAPI.sample(ContractAPI.id())]).0 == .ok)

                try await server.stop()
                // Every call waiting for the database gives up now.
                clock.expire()
                let key = ContractAPI.id()
                let samples = [ContractAPI.sample(ContractAPI.id()), ContractAPI.sample(ContractAPI.id())]
                try await client.execute(uri: "/v1/batches", method: .post, headers: ContractAPI.headers("t", key: key),
                                         body: ContractAPI.batch("t", key: key, samples)) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] == "5")
                }
                let beat = Heartbeat(terminal: "t", site: "s", version: "0.1.0", sentAt: "2026-11-22T09:15:02.123Z", uptimeSeconds: 1,
                                     backlog: 0, lastPressAt: nil, lastSyncAt: nil, clockSynchronized: true, heldButtons: [],
                                     diskFreeBytes: nil, lowDisk: false, quarantinedBatches: 0, quarantinedSamples: 0, lastError: nil)
                try await client.execute(uri: "/v1/heartbeat", method: .post, headers: ContractAPI.headers("t"),
                                         body: ByteBuffer(bytes: WireEncoder.encode(beat))) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] == "5")
                }
                let down = try await ContractAPI.get(client, "/health", as: nil)
                #expect(down.0 == .serviceUnavailable)
                #expect(down.1 == #"{"status":"storage unavailable"}"#)

                // Back: calls wait (time stands still) until the pool has reconnected by itself.
                clock.freeze()
                try await server.start()
                let up = try await ContractAPI.get(client, "/health", as: nil)
                #expect(up.0 == .ok)
                #expect(up.1 == #"{"status":"ok","samples":1,"batches":1,"terminals":1}"#)
                // The batch refused while down is stored on its retry, once.
                let retried = try await ContractAPI.post(client, "t", key: key, samples)
                #expect(retried.0 == .ok)
                #expect(retried.1 == #"{"batch":"\#(key)","accepted":2,"duplicates":0}"#)
            }
        }
    }
}

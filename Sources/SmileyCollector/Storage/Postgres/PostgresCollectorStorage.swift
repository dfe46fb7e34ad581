import Foundation
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import SmileyCore
import SmileyWire

/// The collector's PostgreSQL storage, for fleets: any number of collectors share one database.
/// A sample is unique per (terminal, sample id); a batch, its idempotency record and its
/// terminal's totals commit in one transaction; a key being processed holds a transaction-scoped
/// advisory lock, so another collector (or request) meeting it answers "in progress".
///
/// ``client`` is a ServiceLifecycle service: run it in the collector's ServiceGroup. Every call is
/// bounded by ``StorageDeadline`` (the pool waits while it cannot connect), so a collector whose
/// database is away answers 503 at once and recovers when the pool reconnects.
public final class PostgresCollectorStorage: CollectorStorage {
    public let settings: PostgresSettings
    /// The connection pool; run it (`client.run()`, or in a ServiceGroup) for the calls to work.
    public let client: PostgresClient
    private let connection: PostgresConnection.Configuration
    let logger: Logger
    let deadline: StorageDeadline

    /// - Parameters:
    ///   - environment: where PGPASSFILE and HOME are looked up when there is no `database-password-file`.
    ///   - timeout: how long one storage call may wait for the database (on `clock`).
    public init<C: Clock>(settings: PostgresSettings, logger: Logger,
                          environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(5), clock: C,
                          maximumConnections: Int = 20) throws(CollectorConfigError) where C.Duration == Duration {
        self.settings = settings
        self.logger = logger
        self.deadline = StorageDeadline(timeout: timeout, clock: clock)
        let secret = try PostgresPassword.resolve(settings, environment: environment)
        var clientConfiguration: PostgresClient.Configuration
        switch settings.endpoint {
        case .tcp(let host, let port):
            let clientTLS: PostgresClient.Configuration.TLS
            let connectionTLS: PostgresConnection.Configuration.TLS
            switch settings.tls {
            case .disable:
                (clientTLS, connectionTLS) = (.disable, .disable)
            case .verifyFull:
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.certificateVerification = .fullVerification
                if let caFile = settings.caFile { tls.trustRoots = .file(caFile) }
                do {
                    connectionTLS = .require(try NIOSSLContext(configuration: tls))
                } catch {
                    throw CollectorConfigError("database-tls verify-full: cannot load the trusted certificates\(settings.caFile.map { " from database-ca-file \($0)" } ?? ""): \(error)")
                }
                clientTLS = .require(tls)
            }
            clientConfiguration = .init(host: host, port: port, username: settings.user, password: secret,
                                        database: settings.database, tls: clientTLS)
            connection = .init(host: host, port: port, username: settings.user, password: secret,
                               database: settings.database, tls: connectionTLS)
        case .socket(let path):
            clientConfiguration = .init(unixSocketPath: path, username: settings.user, password: secret, database: settings.database)
            connection = .init(unixSocketPath: path, username: settings.user, password: secret, database: settings.database)
        }
        clientConfiguration.options.maximumConnections = maximumConnections
        client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
    }

    /// Runs the connection pool until cancelled (what the ServiceGroup does with ``services``).
    public func run() async { await client.run() }

    /// What to run in the collector's ServiceGroup: the connection pool.
    public var services: [any Service] { [client] }

    public convenience init(settings: PostgresSettings, logger: Logger) throws(CollectorConfigError) {
        try self.init(settings: settings, logger: logger, clock: ContinuousClock())
    }

    // MARK: Schema

    /// Brings the schema up to date on a connection of its own (the pool need not run yet), under
    /// the migration lock; returns the versions applied now. Throws ``PostgresSchemaError`` for a
    /// newer schema and ``CollectorStartError`` (74) when the database cannot be reached.
    public func migrate() async throws -> [Int] {
        try await migrate(PostgresSchema.migrations)
    }

    /// ``migrate()`` with the given steps (upgrade tests make a database at an earlier version).
    func migrate(_ migrations: [PostgresMigration]) async throws -> [Int] {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: self.connection, id: 0, logger: logger)
        } catch {
            throw CollectorStartError("cannot connect to the database \(settings.displayURL): \(PostgresErrorText.describe(error))",
                                      exitCode: 74)
        }
        do {
            let applied = try await PostgresMigrator(migrations: migrations, database: settings.displayURL).migrate(connection, logger: logger)
            try? await connection.close()
            return applied
        } catch let error as PostgresSchemaError {
            try? await connection.close()
            throw error
        } catch {
            try? await connection.close()
            throw CollectorStartError("cannot migrate the database \(settings.displayURL): \(PostgresErrorText.describe(error))",
                                      exitCode: 74)
        }
    }

    // MARK: CollectorStorage

    public func submit(_ batch: WireBatch, terminal: String, key: String, fingerprint: Data,
                       receivedAtMs: Int64) async throws -> SubmitOutcome {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            try await client.withTransaction(logger: logger) { connection -> SubmitOutcome in
                // Held until commit: another request (on any collector) with this key answers 409.
                let claim = try await connection.query("""
                    SELECT pg_try_advisory_xact_lock(hashtextextended(\(Self.lockName(terminal: terminal, key: key)), 0))
                    """, logger: logger)
                var claimed = false
                for try await row in claim { claimed = try row.decode(Bool.self) }
                guard claimed else { return .inProgress }

                let known = try await connection.query("""
                    SELECT fingerprint, status, response FROM batch_key WHERE terminal = \(terminal) AND key = \(key)
                    """, logger: logger)
                for try await row in known {
                    let (stored, status, body) = try row.decode((Data, Int32, Data).self)
                    guard stored == fingerprint else { return .payloadMismatch }
                    return .replayed(StoredResult(status: Int(status), body: body))
                }

                var accepted = 0
                for try await count in try await connection.execute(InsertSamples(batch: batch, receivedAtMs: receivedAtMs),
                                                                    logger: logger) {
                    accepted = Int(count)
                }
                let body = Data(WireEncoder.encode(BatchReceipt(batch: batch.key, accepted: accepted,
                                                                duplicates: batch.samples.count - accepted)))
                try await connection.query("""
                    INSERT INTO batch_key (terminal, key, fingerprint, status, response, samples, accepted, received_at)
                    VALUES (\(terminal), \(key), \(fingerprint), 200, \(body), \(Int32(clamping: batch.samples.count)),
                            \(Int32(clamping: accepted)), \(receivedAtMs))
                    """, logger: logger)
                try await connection.query("""
                    INSERT INTO terminal_total (terminal, samples, batches, last_batch_at)
                    VALUES (\(terminal), \(Int64(accepted)), 1, \(receivedAtMs))
                    ON CONFLICT (terminal) DO UPDATE SET samples = terminal_total.samples + excluded.samples,
                        batches = terminal_total.batches + 1,
                        last_batch_at = greatest(terminal_total.last_batch_at, excluded.last_batch_at)
                    """, logger: logger)
                return .stored(StoredResult(status: 200, body: body))
            }
        }
    }

    public func recordHeartbeat(_ heartbeat: Heartbeat, terminal: String, receivedAtMs: Int64) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = String(decoding: try encoder.encode(heartbeat), as: UTF8.self)
        let (client, logger) = (self.client, self.logger)
        try await deadline.run {
            try await client.query("""
                INSERT INTO heartbeat (terminal, received_at, body) VALUES (\(terminal), \(receivedAtMs), \(body))
                ON CONFLICT (terminal) DO UPDATE SET received_at = excluded.received_at, body = excluded.body
                """, logger: logger)
            return ()
        }
    }

    public func summary(site: String, day: String, includeMisuse: Bool) async throws -> SiteDaySummary {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            try await client.withConnection { connection in
                // From the day rollup (its primary key leads with site, local_day), never the samples.
                var terminals: [String] = []
                for try await row in try await connection.query("""
                    SELECT DISTINCT terminal FROM rollup_day WHERE site = \(site) AND local_day = \(day)::date
                    ORDER BY 1
                    """, logger: logger) {
                    terminals.append(try row.decode(String.self))
                }
                var rows: [SummaryRow] = []
                for try await row in try await connection.query("""
                    SELECT survey, scale, button, min(button_name), nullif(misuse, ''), sum(n)::int8
                    FROM rollup_day WHERE site = \(site) AND local_day = \(day)::date
                    GROUP BY survey, scale, button, misuse
                    ORDER BY survey, scale, button
                    """, logger: logger) {
                    let (survey, scale, button, name, misuse, count) = try row.decode((String, Int32, Int32, String, String?, Int64).self)
                    rows.append(SummaryRow(survey: survey, scale: Int(scale), button: Int(button), name: name, misuse: misuse,
                                           count: Int(count)))
                }
                return SiteDaySummary(site: site, day: day, includeMisuse: includeMisuse, terminals: terminals, rows: rows)
            }
        }
    }

    public func terminals() async throws -> [TerminalInfo] {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            var result: [TerminalInfo] = []
            for try await row in try await client.query("""
                SELECT t.terminal, coalesce(tt.samples, 0)::int8, tt.last_batch_at, h.received_at, h.body
                FROM (SELECT terminal FROM terminal_total UNION SELECT terminal FROM heartbeat) t
                LEFT JOIN terminal_total tt ON tt.terminal = t.terminal
                LEFT JOIN heartbeat h ON h.terminal = t.terminal
                ORDER BY t.terminal COLLATE "C"
                """, logger: logger) {
                let (terminal, samples, lastBatch, lastHeartbeat, body) = try row.decode((String, Int64, Int64?, Int64?, String?).self)
                result.append(TerminalInfo(
                    terminal: terminal, samples: Int(samples),
                    lastBatchAt: lastBatch.map { RFC3339.string(ms: $0) },
                    lastHeartbeatAt: lastHeartbeat.map { RFC3339.string(ms: $0) },
                    heartbeat: body.flatMap { try? JSONDecoder().decode(Heartbeat.self, from: Data($0.utf8)) }))
            }
            return result
        }
    }

    public func health() async throws -> StorageHealth {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            var health = StorageHealth(samples: 0, batches: 0, terminals: 0)
            for try await row in try await client.query("""
                SELECT coalesce(sum(samples), 0)::int8, coalesce(sum(batches), 0)::int8, count(*)::int8 FROM terminal_total
                """, logger: logger) {
                let (samples, batches, terminals) = try row.decode((Int64, Int64, Int64).self)
                health = StorageHealth(samples: Int(samples), batches: Int(batches), terminals: Int(terminals))
            }
            return health
        }
    }

    /// What a key's advisory lock is taken on: the key is visible ASCII without spaces, so
    /// "terminal key" names one pair.
    static func lockName(terminal: String, key: String) -> String { terminal + " " + key }

    // MARK: For tests

    /// Runs `body` while a transaction of its own holds `key`'s lock (another collector mid-batch).
    func holdingKeyLock<T: Sendable>(terminal: String, key: String,
                                     _ body: @Sendable () async throws -> T) async throws -> T {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("""
                SELECT pg_advisory_xact_lock(hashtextextended(\(Self.lockName(terminal: terminal, key: key)), 0))
                """, logger: logger)
            return try await body()
        }
    }

    /// Every stored sample, in the order stored (tests compare them with the terminal's).
    public func storedSamples() async throws -> [CollectedSample] {
        var result: [CollectedSample] = []
        for try await row in try await client.query("""
            SELECT uuid, terminal, site, survey, button, button_name, scale, recorded_at, utc_offset,
                   clock_synchronized, misuse, batch FROM sample ORDER BY id
            """, logger: logger) {
            let (uuid, terminal, site, survey, button, name, scale, recordedAt, offset, synchronized, misuse, batch)
                = try row.decode((UUID, String, String, String, Int32, String, Int32, Int64, Int32, Bool, String?, String).self)
            result.append(CollectedSample(
                terminal: terminal, site: site, batch: batch,
                sample: WireSample(id: uuid, survey: survey, button: Int(button), buttonName: name, scale: Int(scale),
                                   recordedAtMs: recordedAt, utcOffsetSeconds: Int(offset), clockSynchronized: synchronized,
                                   misuse: misuse.flatMap(MisuseReason.init(rawValue:)))))
        }
        return result
    }

    /// Sum of `accepted` over every stored batch result (each sample accepted exactly once).
    public func acceptedTotal() async throws -> Int {
        var total = 0
        for try await value in try await client.query("SELECT coalesce(sum(accepted), 0)::int8 FROM batch_key", logger: logger)
            .decode(Int64.self) {
            total = Int(value)
        }
        return total
    }
}

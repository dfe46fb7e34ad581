import Foundation
import GRDB
import GRDBSQLite
import SmileySQLite
import SmileyCore
import SmileyWire
import Synchronization

/// The collector's SQLite storage: WAL, synchronous=FULL (a 2xx is sent only after the batch is on
/// disk), one transaction per batch with its idempotency record. One collector process per file:
/// the keys in progress are kept in this process.
public final class SQLiteCollectorStorage: CollectorStorage {
    public let path: String
    let pool: DatabasePool
    /// Keys being processed now (terminal + key): a second request for one gets 409.
    private let running = Mutex<Set<String>>([])
    /// Samples stored, kept in memory for /health (counting a large table on every call is slow).
    private let sampleCount = Mutex<Int>(0)
    /// Runs after a key is claimed and before the batch is stored (fault-injection tests slow
    /// the storage down with it, so that retries meet a key still in progress).
    private let beforeStore: (@Sendable () async -> Void)?
    /// Group commit: batches that arrive while a transaction is being synced go into the next one.
    private let commits: CommitQueue

    public init(path: String, beforeStore: (@Sendable () async -> Void)? = nil) throws {
        self.path = path
        self.beforeStore = beforeStore
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try Self.migrator.migrate(pool)
        commits = CommitQueue(pool: pool)
        let count = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sample") ?? 0 }
        sampleCount.withLock { $0 = count }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-collector") { db in
            // One row per sample id, whichever terminal, batch or key brought it (v2: per terminal).
            try db.execute(sql: """
                CREATE TABLE sample (
                    id INTEGER PRIMARY KEY,
                    uuid BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),
                    terminal TEXT NOT NULL,
                    site TEXT NOT NULL,
                    survey TEXT NOT NULL,
                    button INTEGER NOT NULL,
                    button_name TEXT NOT NULL,
                    scale INTEGER NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    utc_offset INTEGER NOT NULL,
                    local_day TEXT NOT NULL,
                    clock_synchronized INTEGER NOT NULL,
                    misuse TEXT,
                    -- The batch (Idempotency-Key) that first delivered it.
                    batch TEXT NOT NULL,
                    received_at INTEGER NOT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX sample_by_site_day ON sample(site, local_day)")
            try db.execute(sql: "CREATE INDEX sample_by_terminal ON sample(terminal)")
            // The idempotency record: the payload's fingerprint and the answer given.
            try db.execute(sql: """
                CREATE TABLE batch_key (
                    terminal TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint BLOB NOT NULL,
                    status INTEGER NOT NULL,
                    response BLOB NOT NULL,
                    samples INTEGER NOT NULL,
                    accepted INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    PRIMARY KEY (terminal, key)
                ) WITHOUT ROWID
                """)
            try db.execute(sql: """
                CREATE TABLE heartbeat (
                    terminal TEXT PRIMARY KEY,
                    received_at INTEGER NOT NULL,
                    body BLOB NOT NULL
                ) WITHOUT ROWID
                """)
        }
        // A sample is unique per (terminal, sample id): another terminal re-using an id stores its
        // own sample (v1 made it a duplicate of the first terminal's, and the real owner's was lost).
        migrator.registerMigration("v2-sample-per-terminal") { db in
            try db.execute(sql: """
                CREATE TABLE sample_v2 (
                    id INTEGER PRIMARY KEY,
                    uuid BLOB NOT NULL CHECK (length(uuid) = 16),
                    terminal TEXT NOT NULL,
                    site TEXT NOT NULL,
                    survey TEXT NOT NULL,
                    button INTEGER NOT NULL,
                    button_name TEXT NOT NULL,
                    scale INTEGER NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    utc_offset INTEGER NOT NULL,
                    local_day TEXT NOT NULL,
                    clock_synchronized INTEGER NOT NULL,
                    misuse TEXT,
                    batch TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    UNIQUE (terminal, uuid)
                )
                """)
            try db.execute(sql: "INSERT INTO sample_v2 SELECT * FROM sample")
            try db.execute(sql: "DROP TABLE sample")
            try db.execute(sql: "ALTER TABLE sample_v2 RENAME TO sample")
            try db.execute(sql: "CREATE INDEX sample_by_site_day ON sample(site, local_day)")
            // The unique (terminal, uuid) index serves lookups by terminal.
        }
        migrator.registerMigration("v3-organisation-credentials", migrate: migrateOrganisation)
        migrator.registerMigration("v4-rollups", migrate: migrateToRollups)
        return migrator
    }

    public func submit(_ batch: WireBatch, terminal: String, key: String, fingerprint: Data,
                       receivedAtMs: Int64) async throws -> SubmitOutcome {
        let slot = terminal + "\u{0}" + key
        let claimed = running.withLock { $0.insert(slot).inserted }
        guard claimed else { return .inProgress }
        defer { _ = running.withLock { $0.remove(slot) } }
        if let beforeStore { await beforeStore() }

        let outcome = try await commits.submit(CommitJob(batch: batch, terminal: terminal, key: key,
                                                         fingerprint: fingerprint, receivedAtMs: receivedAtMs))
        if outcome.1 > 0 { sampleCount.withLock { $0 += outcome.1 } }
        return outcome.0
    }

    /// Applies one batch with its idempotency record; the caller holds the write transaction.
    static func apply(_ job: CommitJob, in db: Database) throws -> (SubmitOutcome, Int) {
        let batch = job.batch
        if let row = try Row.fetchOne(db, sql: """
            SELECT fingerprint, status, response FROM batch_key WHERE terminal = ? AND key = ?
            """, arguments: [job.terminal, job.key]) {
            let stored: Data = row["fingerprint"]
            guard stored == job.fingerprint else { return (.payloadMismatch, 0) }
            return (.replayed(StoredResult(status: row["status"], body: row["response"])), 0)
        }
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO sample (uuid, terminal, site, survey, button, button_name, scale, recorded_at,
                utc_offset, local_day, clock_synchronized, misuse, batch, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // Bound through SQLite's C API (RowBinder): building GRDB argument arrays for every
        // sample costs more than the insert itself when batches pour in.
        var accepted = 0
        // What the samples stored now add to the rollups, written in this transaction.
        var rollups = RollupIncrements()
        for sample in batch.samples {
            var row = RowBinder(insert)
            row.bind(1, sample.id)
            row.bind(2, batch.terminal)
            row.bind(3, batch.site)
            row.bind(4, sample.survey)
            row.bind(5, sample.button)
            row.bind(6, sample.buttonName)
            row.bind(7, sample.scale)
            row.bind(8, sample.recordedAtMs)
            row.bind(9, sample.utcOffsetSeconds)
            row.bind(10, sample.localDay)
            row.bind(11, sample.clockSynchronized)
            row.bind(12, sample.misuse?.rawValue)
            row.bind(13, batch.key)
            row.bind(14, job.receivedAtMs)
            try row.step(in: db)
            guard sqlite3_changes(db.sqliteConnection) > 0 else { continue }
            accepted += 1
            rollups.add(sample, terminal: batch.terminal, site: batch.site)
        }
        try rollups.write(in: db)
        let body = Data(WireEncoder.encode(BatchReceipt(batch: batch.key, accepted: accepted,
                                                        duplicates: batch.samples.count - accepted)))
        try db.execute(sql: """
            INSERT INTO batch_key (terminal, key, fingerprint, status, response, samples, accepted, received_at)
            VALUES (?, ?, ?, 200, ?, ?, ?, ?)
            """, arguments: [job.terminal, job.key, job.fingerprint, body, batch.samples.count, accepted, job.receivedAtMs])
        return (.stored(StoredResult(status: 200, body: body)), accepted)
    }

    public func recordHeartbeat(_ heartbeat: Heartbeat, terminal: String, receivedAtMs: Int64) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(heartbeat)
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO heartbeat (terminal, received_at, body) VALUES (?, ?, ?)
                ON CONFLICT (terminal) DO UPDATE SET received_at = excluded.received_at, body = excluded.body
                """, arguments: [terminal, receivedAtMs, body])
        }
    }

    public func summary(site: String, day: String, includeMisuse: Bool) async throws -> SiteDaySummary {
        try await pool.read { db in
            // From the day rollup (its primary key leads with site, local_day), never the samples.
            let terminals = try String.fetchAll(db, sql: """
                SELECT DISTINCT terminal FROM rollup_day WHERE site = ? AND local_day = ? ORDER BY terminal
                """, arguments: [site, day])
            let rows = try Row.fetchAll(db, sql: """
                SELECT survey, scale, button, min(button_name) AS name, nullif(misuse, '') AS misuse, sum(n) AS n
                FROM rollup_day WHERE site = ? AND local_day = ?
                GROUP BY survey, scale, button, misuse ORDER BY survey, scale, button
                """, arguments: [site, day])
            return SiteDaySummary(site: site, day: day, includeMisuse: includeMisuse, terminals: terminals, rows: rows.map { row in
                SummaryRow(survey: row["survey"], scale: row["scale"], button: row["button"], name: row["name"],
                           misuse: row["misuse"], count: row["n"])
            })
        }
    }

    public func terminals() async throws -> [TerminalInfo] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT t.terminal AS terminal,
                       (SELECT count(*) FROM sample s WHERE s.terminal = t.terminal) AS samples,
                       (SELECT max(received_at) FROM batch_key b WHERE b.terminal = t.terminal) AS last_batch,
                       h.received_at AS last_heartbeat, h.body AS heartbeat
                FROM (SELECT terminal FROM batch_key UNION SELECT terminal FROM heartbeat) t
                LEFT JOIN heartbeat h ON h.terminal = t.terminal
                ORDER BY t.terminal
                """)
            return rows.map { row in
                let body: Data? = row["heartbeat"]
                return TerminalInfo(
                    terminal: row["terminal"], samples: row["samples"],
                    lastBatchAt: (row["last_batch"] as Int64?).map { RFC3339.string(ms: $0) },
                    lastHeartbeatAt: (row["last_heartbeat"] as Int64?).map { RFC3339.string(ms: $0) },
                    heartbeat: body.flatMap { try? JSONDecoder().decode(Heartbeat.self, from: $0) })
            }
        }
    }

    public func health() async throws -> StorageHealth {
        let samples = sampleCount.withLock { $0 }
        return try await pool.read { db in
            let batches = try Int.fetchOne(db, sql: "SELECT count(*) FROM batch_key") ?? 0
            let terminals = try Int.fetchOne(db, sql: "SELECT count(DISTINCT terminal) FROM batch_key") ?? 0
            return StorageHealth(samples: samples, batches: batches, terminals: terminals)
        }
    }

    /// Every stored sample (tests compare them with the terminal's).
    public func storedSamples() async throws -> [CollectedSample] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT uuid, terminal, site, survey, button, button_name, scale, recorded_at, utc_offset,
                       clock_synchronized, misuse, batch FROM sample ORDER BY id
                """).map { row in
                CollectedSample(
                    terminal: row["terminal"], site: row["site"], batch: row["batch"],
                    sample: WireSample(id: row["uuid"], survey: row["survey"], button: row["button"], buttonName: row["button_name"],
                                       scale: row["scale"], recordedAtMs: row["recorded_at"], utcOffsetSeconds: row["utc_offset"],
                                       clockSynchronized: row["clock_synchronized"],
                                       misuse: (row["misuse"] as String?).flatMap(MisuseReason.init(rawValue:))))
            }
        }
    }

    /// Sum of `accepted` over every stored batch result (each sample accepted exactly once).
    public func acceptedTotal() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(sum(accepted), 0) FROM batch_key") ?? 0 }
    }
}

import Foundation
import Logging
import NIOCore
import PostgresNIO
import SmileyCollector
import SmileyTestSupport
import SmileyWire

/// The issue's question of how to insert a batch, measured at the storage level on a fresh
/// database each: the product's path (``PostgresCollectorStorage/submit``: a prepared INSERT …
/// SELECT FROM unnest(…) ON CONFLICT DO NOTHING with the rollup upserts in the same statement)
/// against COPY into a temporary staging table then the same INSERT … SELECT from it. Both run
/// the whole transaction submit runs (the key's advisory lock, the key lookup, the samples and
/// rollups, the key's record, the terminal's totals), one batch after another.
struct IngestVariants {
    let postgres: TestPostgres
    let samples: Int
    let batchSize: Int
    let terminals: Int
    let logger: Logger

    struct Figure {
        var name: String
        var samplesPerSecond: Double
        var batchMedianMs: Double
        var batchP99Ms: Double
        var stored: Int
    }

    func run() async throws -> [Figure] {
        [try await unnest(), try await copy()]
    }

    /// Batches for `terminals` terminals in turn, `samples` in all.
    private func batches() -> [WireBatch] {
        var made: [SimulatedTerminal] = (0..<terminals).map {
            SimulatedTerminal(id: String(format: "terminal-%04d", $0 + 1), site: "site-001", token: "",
                              utcOffsetSeconds: 7200, firstMs: 1_795_341_600_000)
        }
        return (0..<(samples / batchSize)).map { made[$0 % terminals].makeBatch(batchSize) }
    }

    private func freshDatabase() async throws -> String {
        let database = try await postgres.createDatabase()
        let storage = try BenchFleet.storage(postgres, database)
        _ = try await storage.migrate()
        return database
    }

    private static func fingerprint() -> Data { Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }) }

    private func unnest() async throws -> Figure {
        let database = try await freshDatabase()
        let storage = try BenchFleet.storage(postgres, database)
        let pool = Task { await storage.run() }
        defer { pool.cancel() }
        let batches = batches()
        var times: [Double] = []
        let started = ContinuousClock.now
        for batch in batches {
            let one = ContinuousClock.now
            let outcome = try await storage.submit(batch, terminal: batch.terminal, key: batch.key, fingerprint: Self.fingerprint(),
                                                   receivedAtMs: 1_795_341_600_000)
            guard case .stored = outcome else { throw BenchError("unnest: batch \(batch.key) answered \(outcome)") }
            times.append((.now - one).milliseconds)
        }
        let elapsed = (.now - started).milliseconds / 1000
        let stored = Int(try await postgres.psql(database, "SELECT count(*) FROM sample")) ?? -1
        let latencies = Percentiles(times)
        return Figure(name: "prepared INSERT … SELECT FROM unnest(…) (the product's submit)",
                      samplesPerSecond: Double(batches.count * batchSize) / elapsed,
                      batchMedianMs: latencies.median, batchP99Ms: latencies.at(99), stored: stored)
    }

    private func copy() async throws -> Figure {
        let database = try await freshDatabase()
        let connection = try await PostgresConnection.connect(
            configuration: .init(unixSocketPath: postgres.folder + "/.s.PGSQL.\(postgres.port)", username: TestPostgres.user,
                                 password: nil, database: database),
            id: 1, logger: logger)
        do {
            let figure = try await copy(connection, database)
            try await connection.close()
            return figure
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func copy(_ connection: PostgresConnection, _ database: String) async throws -> Figure {
        try await connection.query("""
            CREATE TEMPORARY TABLE sample_stage (uuid uuid, survey text, button int4, button_name text, scale int4,
                recorded_at int8, utc_offset int4, local_day date, clock_synchronized bool, misuse text) ON COMMIT DELETE ROWS
            """, logger: logger)
        let batches = batches()
        var times: [Double] = []
        let started = ContinuousClock.now
        for batch in batches {
            let one = ContinuousClock.now
            try await submitByCopy(batch, connection)
            times.append((.now - one).milliseconds)
        }
        let elapsed = (.now - started).milliseconds / 1000
        let stored = Int(try await postgres.psql(database, "SELECT count(*) FROM sample")) ?? -1
        let latencies = Percentiles(times)
        return Figure(name: "COPY into a staging table, then INSERT … SELECT", samplesPerSecond: Double(batches.count * batchSize) / elapsed,
                      batchMedianMs: latencies.median, batchP99Ms: latencies.at(99), stored: stored)
    }

    /// What submit does, with the samples sent by COPY (text format) instead of as arrays.
    private func submitByCopy(_ batch: WireBatch, _ connection: PostgresConnection) async throws {
        let (terminal, key, receivedAt) = (batch.terminal, batch.key, Int64(1_795_341_600_000))
        try await connection.query("BEGIN", logger: logger)
        let claim = try await connection.query(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(\(terminal + " " + key), 0))", logger: logger)
        for try await row in claim { guard try row.decode(Bool.self) else { throw BenchError("copy: key \(key) locked") } }
        let known = try await connection.query("SELECT status FROM batch_key WHERE terminal = \(terminal) AND key = \(key)", logger: logger)
        for try await _ in known { throw BenchError("copy: key \(key) known") }

        var text = ByteBuffer()
        text.reserveCapacity(batch.samples.count * 120)
        for sample in batch.samples {
            text.writeString("\(sample.id.uuidString.lowercased())\t\(sample.survey)\t\(sample.button)\t\(sample.buttonName)\t\(sample.scale)\t")
            text.writeString("\(sample.recordedAtMs)\t\(sample.utcOffsetSeconds)\t\(sample.localDay)\t\(sample.clockSynchronized ? "t" : "f")\t")
            text.writeString((sample.misuse?.rawValue ?? "\\N") + "\n")
        }
        try await connection.copyFrom(table: "sample_stage", columns: Self.stageColumns, logger: logger) { writer in
            try await writer.write(text)
        }
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(terminal)
        bindings.append(batch.site)
        bindings.append(key)
        bindings.append(receivedAt)
        var accepted = 0
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: Self.insertFromStage, binds: bindings), logger: logger) {
            accepted = Int(try row.decode(Int64.self))
        }
        let body = Data(WireEncoder.encode(BatchReceipt(batch: key, accepted: accepted, duplicates: batch.samples.count - accepted)))
        try await connection.query("""
            INSERT INTO batch_key (terminal, key, fingerprint, status, response, samples, accepted, received_at)
            VALUES (\(terminal), \(key), \(Self.fingerprint()), 200, \(body), \(Int32(batch.samples.count)), \(Int32(accepted)), \(receivedAt))
            """, logger: logger)
        try await connection.query("""
            INSERT INTO terminal_total (terminal, samples, batches, last_batch_at)
            VALUES (\(terminal), \(Int64(accepted)), 1, \(receivedAt))
            ON CONFLICT (terminal) DO UPDATE SET samples = terminal_total.samples + excluded.samples,
                batches = terminal_total.batches + 1,
                last_batch_at = greatest(terminal_total.last_batch_at, excluded.last_batch_at)
            """, logger: logger)
        try await connection.query("COMMIT", logger: logger)
    }

    static let stageColumns = ["uuid", "survey", "button", "button_name", "scale", "recorded_at", "utc_offset", "local_day",
                               "clock_synchronized", "misuse"]

    /// InsertSamples' statement (Sources/SmileyCollector/Storage/Postgres) reading the staging table
    /// instead of unnest(…): the same conflict rule and the same rollup upserts.
    static let insertFromStage = """
        WITH inserted AS (
            INSERT INTO sample (terminal, site, batch, received_at, uuid, survey, button, button_name, scale,
                                recorded_at, utc_offset, local_day, clock_synchronized, misuse)
            SELECT $1, $2, $3, $4, s.uuid, s.survey, s.button, s.button_name, s.scale,
                   s.recorded_at, s.utc_offset, s.local_day, s.clock_synchronized, s.misuse
            FROM sample_stage s
            ON CONFLICT (terminal, uuid) DO NOTHING
            RETURNING terminal, site, local_day, survey, scale, button, button_name, recorded_at, utc_offset, misuse
        ), rolled AS (
            INSERT INTO rollup (site, local_day, terminal, survey, scale, button, hour, misuse, button_name, n)
            SELECT site, local_day, terminal, survey, scale, button,
                   (((recorded_at + utc_offset * 1000) % 86400000) + 86400000) % 86400000 / 3600000,
                   coalesce(misuse, ''), min(button_name COLLATE "C"), count(*)
            FROM inserted
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
            ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
            ON CONFLICT (site, local_day, terminal, survey, scale, button, hour, misuse)
            DO UPDATE SET n = rollup.n + excluded.n, button_name = least(rollup.button_name, excluded.button_name)
        ), rolled_day AS (
            INSERT INTO rollup_day (site, local_day, terminal, survey, scale, button, misuse, button_name, n)
            SELECT site, local_day, terminal, survey, scale, button, coalesce(misuse, ''), min(button_name COLLATE "C"), count(*)
            FROM inserted
            GROUP BY 1, 2, 3, 4, 5, 6, 7
            ORDER BY 1, 2, 3, 4, 5, 6, 7
            ON CONFLICT (site, local_day, terminal, survey, scale, button, misuse)
            DO UPDATE SET n = rollup_day.n + excluded.n, button_name = least(rollup_day.button_name, excluded.button_name)
        )
        SELECT count(*)::int8 FROM inserted
        """
}

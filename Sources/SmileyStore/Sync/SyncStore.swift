import Foundation
import GRDB
import GRDBSQLite
import SmileyCore
import SmileyPlatform

/// A database operation of the upstream sync failed (the disk, a lock, a broken file).
public struct SyncStoreError: UserFacingError, Sendable {
    /// sysexits EX_IOERR: the database failed under the sync.
    public var exitCode: Int32 { 74 }

    public var path: String
    public var operation: String
    public var reason: String

    public var description: String { "\(operation) in \(path) failed: \(reason)" }
}

/// The upstream sync's side of the database: forming batches, recording what the receiver said,
/// counting the backlog and pruning old synced samples.
///
/// Every change is one transaction on the daemon's pool (the same single writer as presses; GRDB
/// serializes them), committed with synchronous=FULL before the call returns. In particular a new
/// batch — its UUID and its members — is durable before anything is sent.
public struct SyncStore: Sendable {
    public let path: String
    let pool: DatabasePool

    public init(pool: DatabasePool, path: String) {
        self.pool = pool
        self.path = path
    }

    // MARK: Batches

    /// The batch to send next: the oldest one already formed and not acknowledged (after a crash,
    /// a timeout or a failed attempt: the same key and the same samples), else a new one of the
    /// oldest eligible samples. Nil when there is nothing to send.
    /// - Parameter excluding: batches being sent right now (row ids), not to be handed out twice.
    public func nextBatch(_ selection: BatchSelection, excluding: Set<Int64> = [], nowMs: Int64) async throws(SyncStoreError) -> SyncBatch? {
        try await write("forming a batch") { db in
            try Self.nextBatch(selection, excluding: excluding, nowMs: nowMs, in: db)
        }
    }

    /// The receiver acknowledged `batch`: its samples are synced. Then, in the same transaction
    /// (one fsync), the next batch as ``nextBatch(_:nowMs:)`` would give it; pass nil to form none.
    public func complete(_ batch: SyncBatch, status: Int, nowMs: Int64, next selection: BatchSelection?,
                         excluding: Set<Int64> = []) async throws(SyncStoreError) -> SyncBatch? {
        try await settle(delivered: [(batch, status)], nowMs: nowMs, form: selection, count: 1, excluding: excluding).first
    }

    /// One transaction (one fsync): records acknowledged batches — their samples synced — and
    /// forms up to `count` next batches as ``nextBatch(_:excluding:nowMs:)`` would, one after the
    /// other. Draining a backlog this way costs one commit for several batches.
    public func settle(delivered: [(batch: SyncBatch, status: Int)], nowMs: Int64, form selection: BatchSelection?,
                       count: Int, excluding: Set<Int64> = []) async throws(SyncStoreError) -> [SyncBatch] {
        try await write("recording acknowledged batches") { db in
            for (batch, status) in delivered {
                try db.execute(sql: """
                    UPDATE sample SET sync_state = 'synced'
                    WHERE id BETWEEN ? AND ? AND sync_state = 'pending'
                    """, arguments: [batch.firstSample, batch.lastSample])
                try db.execute(sql: """
                    UPDATE sync_batch SET state = 'done', last_status = ?, last_error = NULL, updated_at = ?
                    WHERE id = ?
                    """, arguments: [status, nowMs, batch.rowID])
            }
            guard let selection else { return [] }
            var formed: [SyncBatch] = []
            var skip = excluding
            while formed.count < count, let batch = try Self.nextBatch(selection, excluding: skip, nowMs: nowMs, in: db) {
                formed.append(batch)
                skip.insert(batch.rowID)
            }
            return formed
        }
    }

    /// An attempt failed and will be retried (same key, same samples).
    public func recordFailure(_ batch: SyncBatch, status: Int?, error: String, nowMs: Int64) async throws(SyncStoreError) {
        try await write("recording a failed attempt") { db in
            try db.execute(sql: """
                UPDATE sync_batch SET state = 'in-flight', attempts = attempts + 1, last_status = ?, last_error = ?,
                    updated_at = ?
                WHERE id = ? AND state IN ('pending', 'in-flight')
                """, arguments: [status, String(error.prefix(500)), nowMs, batch.rowID])
        }
    }

    /// The receiver refused the batch: keep it, with its samples, out of the automatic retries.
    public func quarantine(_ batch: SyncBatch, status: Int?, error: String, nowMs: Int64) async throws(SyncStoreError) {
        try await write("quarantining a batch") { db in
            try db.execute(sql: """
                UPDATE sync_batch SET state = 'quarantined', attempts = attempts + 1, last_status = ?, last_error = ?,
                    updated_at = ?
                WHERE id = ? AND state IN ('pending', 'in-flight')
                """, arguments: [status, String(error.prefix(500)), nowMs, batch.rowID])
        }
    }

    /// Puts every quarantined batch back in line (same keys, same samples).
    /// - Returns: the batches and samples put back.
    @discardableResult
    public func requeueQuarantined(nowMs: Int64) async throws(SyncStoreError) -> (batches: Int, samples: Int) {
        try await write("putting quarantined batches back") { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS batches, coalesce(sum(sample_count), 0) AS samples
                FROM sync_batch WHERE state = 'quarantined'
                """)
            try db.execute(sql: "UPDATE sync_batch SET state = 'pending', updated_at = ? WHERE state = 'quarantined'",
                           arguments: [nowMs])
            return (row?["batches"] ?? 0, row?["samples"] ?? 0)
        }
    }

    // MARK: Reading

    /// The highest sample row id now (0 when there are none).
    public func maxSampleRowID() async throws(SyncStoreError) -> Int64 {
        try await read("reading the newest sample") { db in
            try Int64.fetchOne(db, sql: "SELECT max(id) FROM sample") ?? 0
        }
    }

    /// Whether a new batch could be formed now (cheap: one index probe).
    public func hasUnbatched(_ selection: BatchSelection) async throws(SyncStoreError) -> Bool {
        try await read("looking for samples to send") { db in
            var probe = selection
            probe.limit = 1
            let (sql, arguments) = Self.unbatchedQuery(probe)
            guard let next = try Self.readSamples(db, sql: sql, arguments: arguments).first else { return false }
            // The next sample may be one held for the clock.
            guard let hold = selection.holdUncorrectedOfBoot else { return true }
            return !(next.bootID == hold && next.uncorrected)
        }
    }

    /// Unsynced samples with a row id up to `horizon`, and how many of them are quarantined.
    public func unsynced(upTo horizon: Int64) async throws(SyncStoreError) -> (pending: Int, quarantined: Int) {
        try await read("counting the backlog") { db in
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM sample WHERE sync_state = 'pending' AND id <= ?",
                                           arguments: [horizon]) ?? 0
            let quarantined = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM sync_batch b JOIN sample s ON s.id BETWEEN b.first_sample AND b.last_sample
                WHERE b.state = 'quarantined' AND s.sync_state = 'pending' AND s.id <= ?
                """, arguments: [horizon]) ?? 0
            return (pending, quarantined)
        }
    }

    /// The recorded time of the newest sample.
    public func lastRecordedAtMs() async throws(SyncStoreError) -> Int64? {
        try await read("reading the last press") { db in
            try Int64.fetchOne(db, sql: "SELECT recorded_at FROM sample ORDER BY id DESC LIMIT 1")
        }
    }

    public func counts() async throws(SyncStoreError) -> SyncCounts {
        try await read("counting the backlog") { db in try Self.counts(in: db) }
    }

    public func quarantinedBatches(limit: Int = 100) async throws(SyncStoreError) -> [SyncBatchInfo] {
        try await read("listing quarantined batches") { db in
            try SyncBatchInfo.fetchAll(db, sql: """
                SELECT * FROM sync_batch WHERE state = 'quarantined' ORDER BY id LIMIT ?
                """, arguments: [limit])
        }
    }

    // MARK: Retention

    /// Deletes synced samples recorded before `cutoffMs`, at most `chunk` per transaction (the
    /// writer is never held long), and done batches last touched before it. Unsynced samples are
    /// never deleted, nor is the newest sample: SQLite gives a new row the highest row id + 1, and
    /// keeping the highest one keeps new row ids above every batch's range.
    /// - Returns: the samples deleted.
    @discardableResult
    public func prune(syncedBeforeMs cutoffMs: Int64, chunk: Int = 5_000) async throws(SyncStoreError) -> Int {
        var total = 0
        while true {
            let deleted = try await write("pruning synced samples") { db in
                try db.execute(sql: """
                    DELETE FROM sample WHERE id IN (
                        SELECT id FROM sample WHERE recorded_at < ? AND sync_state = 'synced'
                          AND id < (SELECT max(id) FROM sample) LIMIT ?)
                    """, arguments: [cutoffMs, chunk])
                return db.changesCount
            }
            total += deleted
            if deleted < chunk { break }
        }
        try await write("pruning done batches") { db in
            // Keep the newest batch whatever its age: it marks how far batches were formed.
            try db.execute(sql: """
                DELETE FROM sync_batch WHERE state = 'done' AND updated_at < ?
                  AND id < (SELECT max(id) FROM sync_batch)
                """, arguments: [cutoffMs])
        }
        return total
    }

    // MARK: SQL

    /// SQL for the highest sample row id any batch has taken (0 when none).
    public static let formedUpToSQL = "(SELECT coalesce((SELECT last_sample FROM sync_batch ORDER BY id DESC LIMIT 1), 0))"

    static func nextBatch(_ selection: BatchSelection, excluding: Set<Int64> = [], nowMs: Int64, in db: Database) throws -> SyncBatch? {
        let skip = excluding.isEmpty ? "" : " AND id NOT IN (\(excluding.map(String.init).joined(separator: ",")))"
        if let open = try Row.fetchOne(db, sql: """
            SELECT id, uuid, state, attempts, created_at, first_sample, last_sample FROM sync_batch
            WHERE state IN ('pending', 'in-flight')\(skip) ORDER BY id LIMIT 1
            """) {
            let rowID: Int64 = open["id"]
            let first: Int64 = open["first_sample"]
            let last: Int64 = open["last_sample"]
            let members = try readSamples(db, sql: """
                SELECT \(UploadSample.columns), boot_id FROM sample
                WHERE id BETWEEN ? AND ? AND sync_state = 'pending' ORDER BY id
                """, arguments: [first, last]).map(\.sample)
            let state = SyncBatchState(rawValue: open["state"]) ?? .pending
            if members.isEmpty {
                // Cannot happen through this code (pending samples are never deleted); a batch with
                // nothing left to send is finished.
                try db.execute(sql: "UPDATE sync_batch SET state = 'done', updated_at = ? WHERE id = ?",
                               arguments: [nowMs, rowID])
                return try nextBatch(selection, excluding: excluding, nowMs: nowMs, in: db)
            }
            if state == .pending {
                try db.execute(sql: "UPDATE sync_batch SET state = 'in-flight', updated_at = ? WHERE id = ?",
                               arguments: [nowMs, rowID])
            }
            return SyncBatch(rowID: rowID, id: open["uuid"], state: .inFlight, attempts: open["attempts"],
                             createdAtMs: open["created_at"], firstSample: first, lastSample: last, samples: members)
        }

        let (sql, arguments) = unbatchedQuery(selection)
        var candidates = try readSamples(db, sql: sql, arguments: arguments)
        guard let first = candidates.first?.sample else { return nil }
        // The batch ends before the first sample it may not take: another terminal or site (the
        // configuration changed), or a sample held for the clock correction. Everything before it
        // goes, so the batch is the whole range of row ids it covers.
        let hold = selection.holdUncorrectedOfBoot
        if let cut = candidates.firstIndex(where: { candidate in
            if candidate.sample.terminal != first.terminal || candidate.sample.site != first.site { return true }
            guard let hold else { return false }
            return candidate.bootID == hold && candidate.uncorrected
        }) {
            candidates.removeSubrange(cut...)
        }
        guard !candidates.isEmpty else { return nil }
        let samples = candidates.map(\.sample)
        let id = KernelRandom.uuid()
        let firstID = samples[0].rowID, lastID = samples[samples.count - 1].rowID
        try db.execute(sql: """
            INSERT INTO sync_batch (uuid, state, first_sample, last_sample, sample_count, created_at, updated_at)
            VALUES (?, 'in-flight', ?, ?, ?, ?, ?)
            """, arguments: [id, firstID, lastID, samples.count, nowMs, nowMs])
        return SyncBatch(rowID: db.lastInsertedRowID, id: id, state: .inFlight, attempts: 0, createdAtMs: nowMs,
                         firstSample: firstID, lastSample: lastID, samples: samples)
    }

    /// A sample read for a batch, with what the clock hold needs.
    struct Candidate {
        var sample: UploadSample
        var bootID: String
        /// Taken before the clock synchronized and not corrected since.
        var uncorrected: Bool
    }

    /// Rows of `UploadSample.columns` + `boot_id`, read through SQLite's C API: decoding through
    /// GRDB rows costs more than the query when a backlog drains at tens of thousands a second.
    static func readSamples(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Candidate] {
        let statement = try db.cachedStatement(sql: sql)
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var result: [Candidate] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            guard sqlite3_column_bytes(handle, 1) == 16, let blob = sqlite3_column_blob(handle, 1) else {
                throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "sample \(sqlite3_column_int64(handle, 0)) has no 16-byte uuid")
            }
            var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: UnsafeRawBufferPointer(start: blob, count: 16)) }
            let synchronized = sqlite3_column_int64(handle, 10) != 0
            let corrected = sqlite3_column_type(handle, 11) != SQLITE_NULL
            let misuse = text(handle, 12).flatMap(MisuseReason.init(rawValue:))
            let sample = UploadSample(
                rowID: sqlite3_column_int64(handle, 0), id: UUID(uuid: raw), terminal: text(handle, 2) ?? "",
                site: text(handle, 3) ?? "", survey: text(handle, 4) ?? "", button: Int(sqlite3_column_int64(handle, 5)),
                buttonName: text(handle, 6) ?? "", scale: Int(sqlite3_column_int64(handle, 7)),
                recordedAtMs: sqlite3_column_int64(handle, 8), utcOffsetSeconds: Int(sqlite3_column_int64(handle, 9)),
                clockSynchronized: synchronized || corrected, misuse: misuse)
            result.append(Candidate(sample: sample, bootID: text(handle, 13) ?? "", uncorrected: !synchronized && !corrected))
        }
        return result
    }

    private static func text(_ handle: OpaquePointer?, _ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }

    /// The next unsynced samples after the last batch's range, oldest first, up to the horizon.
    static func unbatchedQuery(_ selection: BatchSelection) -> (String, StatementArguments) {
        var sql = """
            SELECT \(UploadSample.columns), boot_id FROM sample
            WHERE id > \(formedUpToSQL) AND sync_state = 'pending'
            """
        var values: [any DatabaseValueConvertible] = []
        if let horizon = selection.horizon {
            sql += " AND id <= ?"
            values.append(horizon)
        }
        sql += " ORDER BY id LIMIT ?"
        values.append(max(1, selection.limit))
        return (sql, StatementArguments(values))
    }

    static func counts(in db: Database) throws -> SyncCounts {
        var counts = SyncCounts()
        counts.unsynced = try Int.fetchOne(db, sql: "SELECT count(*) FROM sample WHERE sync_state = 'pending'") ?? 0
        counts.oldestUnsyncedMs = try Int64.fetchOne(db, sql: """
            SELECT recorded_at FROM sample WHERE sync_state = 'pending' ORDER BY id LIMIT 1
            """)
        if let row = try Row.fetchOne(db, sql: """
            SELECT count(*) AS batches, coalesce(sum(sample_count), 0) AS samples
            FROM sync_batch WHERE state = 'quarantined'
            """) {
            counts.quarantinedBatches = row["batches"]
            counts.quarantinedSamples = row["samples"]
        }
        counts.openBatches = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM sync_batch WHERE state IN ('pending', 'in-flight')
            """) ?? 0
        return counts
    }

    // MARK: Plumbing

    private func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(SyncStoreError) -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw SyncStoreError(path: path, operation: operation, reason: SmileyDatabase.describe(error))
        }
    }

    private func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(SyncStoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw SyncStoreError(path: path, operation: operation, reason: SmileyDatabase.describe(error))
        }
    }
}

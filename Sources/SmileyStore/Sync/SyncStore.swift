import Foundation
import GRDB
import SmileyCore

/// A database operation of the upstream sync failed (the disk, a lock, a broken file).
public struct SyncStoreError: Error, CustomStringConvertible, Sendable {
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
    public func nextBatch(_ selection: BatchSelection, nowMs: Int64) async throws(SyncStoreError) -> SyncBatch? {
        try await write("forming a batch") { db in
            try Self.nextBatch(selection, nowMs: nowMs, in: db)
        }
    }

    /// The receiver acknowledged `batch`: its samples are synced. Then, in the same transaction
    /// (one fsync), the next batch as ``nextBatch(_:nowMs:)`` would give it; pass nil to form none.
    public func complete(_ batch: SyncBatch, status: Int, nowMs: Int64,
                         next selection: BatchSelection?) async throws(SyncStoreError) -> SyncBatch? {
        try await write("recording an acknowledged batch") { db in
            try db.execute(sql: "UPDATE sample SET sync_state = 'synced', batch_id = NULL WHERE batch_id = ?",
                           arguments: [batch.rowID])
            try db.execute(sql: """
                UPDATE sync_batch SET state = 'done', last_status = ?, last_error = NULL, updated_at = ?
                WHERE id = ?
                """, arguments: [status, nowMs, batch.rowID])
            guard let selection else { return nil }
            return try Self.nextBatch(selection, nowMs: nowMs, in: db)
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
            return try Row.fetchOne(db, sql: sql, arguments: arguments) != nil
        }
    }

    /// Unsynced samples with a row id up to `horizon`, and how many of them are quarantined.
    public func unsynced(upTo horizon: Int64) async throws(SyncStoreError) -> (pending: Int, quarantined: Int) {
        try await read("counting the backlog") { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS pending, count(b.id) AS quarantined
                FROM sample s LEFT JOIN sync_batch b ON b.id = s.batch_id AND b.state = 'quarantined'
                WHERE s.sync_state = 'pending' AND s.id <= ?
                """, arguments: [horizon])
            return (row?["pending"] ?? 0, row?["quarantined"] ?? 0)
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
    /// never deleted.
    /// - Returns: the samples deleted.
    @discardableResult
    public func prune(syncedBeforeMs cutoffMs: Int64, chunk: Int = 5_000) async throws(SyncStoreError) -> Int {
        var total = 0
        while true {
            let deleted = try await write("pruning synced samples") { db in
                try db.execute(sql: """
                    DELETE FROM sample WHERE id IN (
                        SELECT id FROM sample WHERE recorded_at < ? AND sync_state = 'synced' LIMIT ?)
                    """, arguments: [cutoffMs, chunk])
                return db.changesCount
            }
            total += deleted
            if deleted < chunk { break }
        }
        try await write("pruning done batches") { db in
            try db.execute(sql: """
                DELETE FROM sync_batch WHERE state = 'done' AND updated_at < ?
                  AND NOT EXISTS (SELECT 1 FROM sample WHERE sample.batch_id = sync_batch.id)
                """, arguments: [cutoffMs])
        }
        return total
    }

    // MARK: SQL

    static func nextBatch(_ selection: BatchSelection, nowMs: Int64, in db: Database) throws -> SyncBatch? {
        if let open = try Row.fetchOne(db, sql: """
            SELECT id, uuid, state, attempts, created_at FROM sync_batch
            WHERE state IN ('pending', 'in-flight') ORDER BY id LIMIT 1
            """) {
            let rowID: Int64 = open["id"]
            let members = try UploadSample.fetchAll(db, sql: """
                SELECT \(UploadSample.columns) FROM sample WHERE batch_id = ? ORDER BY id
                """, arguments: [rowID])
            let state = SyncBatchState(rawValue: open["state"]) ?? .pending
            if members.isEmpty {
                // Cannot happen through this code (members are synced, never deleted, before the
                // batch is done); a batch with nothing left to send is finished.
                try db.execute(sql: "UPDATE sync_batch SET state = 'done', updated_at = ? WHERE id = ?",
                               arguments: [nowMs, rowID])
                return try nextBatch(selection, nowMs: nowMs, in: db)
            }
            if state == .pending {
                try db.execute(sql: "UPDATE sync_batch SET state = 'in-flight', updated_at = ? WHERE id = ?",
                               arguments: [nowMs, rowID])
            }
            return SyncBatch(rowID: rowID, id: open["uuid"], state: .inFlight, attempts: open["attempts"],
                             createdAtMs: open["created_at"], samples: members)
        }

        let (sql, arguments) = unbatchedQuery(selection)
        var candidates = try UploadSample.fetchAll(db, sql: sql, arguments: arguments)
        guard let first = candidates.first else { return nil }
        // One terminal and site per batch (they change only when the configuration does).
        if let cut = candidates.firstIndex(where: { $0.terminal != first.terminal || $0.site != first.site }) {
            candidates.removeSubrange(cut...)
        }
        let id = UUID()
        try db.execute(sql: """
            INSERT INTO sync_batch (uuid, state, sample_count, created_at, updated_at)
            VALUES (?, 'in-flight', ?, ?, ?)
            """, arguments: [id, candidates.count, nowMs, nowMs])
        let rowID = db.lastInsertedRowID
        // Chunks keep the statement under SQLite's host-parameter limit whatever the batch size.
        var start = 0
        while start < candidates.count {
            let chunk = candidates[start..<min(start + 500, candidates.count)]
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            var values: [any DatabaseValueConvertible] = [rowID]
            values.append(contentsOf: chunk.map(\.rowID))
            try db.execute(sql: "UPDATE sample SET batch_id = ? WHERE id IN (\(placeholders))",
                           arguments: StatementArguments(values))
            start += chunk.count
        }
        return SyncBatch(rowID: rowID, id: id, state: .inFlight, attempts: 0, createdAtMs: nowMs, samples: candidates)
    }

    static func unbatchedQuery(_ selection: BatchSelection) -> (String, StatementArguments) {
        var sql = "SELECT \(UploadSample.columns) FROM sample WHERE sync_state = 'pending' AND batch_id IS NULL"
        var values: [any DatabaseValueConvertible] = []
        if let horizon = selection.horizon {
            sql += " AND id <= ?"
            values.append(horizon)
        }
        if let boot = selection.holdUncorrectedOfBoot {
            sql += " AND NOT (boot_id = ? AND clock_synchronized = 0 AND recorded_at_original IS NULL)"
            values.append(boot)
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

import Foundation
import GRDB

extension StoreReader {
    /// The upstream backlog, read-only (for `smileyctl status` when the daemon is not running).
    public func syncCounts() throws(StoreError) -> SyncCounts {
        try readSync { db in
            // A database from before the sync existed has no batches.
            guard try db.tableExists("sync_batch") else {
                let unsynced = try Int.fetchOne(db, sql: "SELECT count(*) FROM sample WHERE sync_state = 'pending'") ?? 0
                return SyncCounts(unsynced: unsynced)
            }
            return try SyncStore.counts(in: db)
        }
    }

    /// Quarantined batches, oldest first.
    public func quarantinedBatches(limit: Int = 100) throws(StoreError) -> [SyncBatchInfo] {
        try readSync { db in
            guard try db.tableExists("sync_batch") else { return [] }
            return try SyncBatchInfo.fetchAll(db, sql: "SELECT * FROM sync_batch WHERE state = 'quarantined' ORDER BY id LIMIT ?",
                                              arguments: [limit])
        }
    }

    private func readSync<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw .query(path: path, reason: SmileyDatabase.describe(error))
        }
    }
}

extension StoreReader {
    /// When the receiver last acknowledged a batch, and the newest error recorded on a batch not
    /// yet done (for `smileyctl status` without a running daemon).
    public func syncHistory() throws(StoreError) -> (lastSuccessAtMs: Int64?, lastError: String?, lastErrorAtMs: Int64?) {
        do {
            return try database.read { db in
                guard try db.tableExists("sync_batch") else { return (nil, nil, nil) }
                let success = try Int64.fetchOne(db, sql: "SELECT max(updated_at) FROM sync_batch WHERE state = 'done'")
                let row = try Row.fetchOne(db, sql: """
                    SELECT last_error, updated_at FROM sync_batch
                    WHERE state != 'done' AND last_error IS NOT NULL ORDER BY updated_at DESC LIMIT 1
                    """)
                return (success, row?["last_error"], row?["updated_at"])
            }
        } catch {
            throw .query(path: path, reason: SmileyDatabase.describe(error))
        }
    }
}

import Foundation
import GRDB
import SmileyCore

/// Read-only queries for staff tools. Each call is one short read transaction: WAL readers never
/// block the daemon's writer, and a short transaction never holds back its checkpoints.
public struct StoreReader: Sendable {
    public let path: String
    let database: DatabaseQueue

    public init(path: String) throws(StoreError) {
        self.path = path
        self.database = try SmileyDatabase.openReadOnly(path: path)
    }

    /// Presses per button and misuse state recorded in `range` (ms since 1970, UTC).
    public func tally(in range: Range<Int64>, buttons: Int) throws(StoreError) -> Tally {
        try read { db in
            var tally = Tally(buttons: buttons)
            let rows = try Row.fetchAll(db, sql: """
                SELECT button, misuse, count(*) AS n, count(held_ms) AS held FROM sample
                WHERE recorded_at >= ? AND recorded_at < ?
                GROUP BY button, misuse
                """, arguments: [range.lowerBound, range.upperBound])
            for row in rows {
                let misuse = (row["misuse"] as String?).flatMap(MisuseReason.init(rawValue:))
                tally.add(button: row["button"], misuse: misuse, count: row["n"])
                tally.held += row["held"] as Int
            }
            return tally
        }
    }

    /// The press recorded last, if any. By row id: ordering ten years of presses by time to find
    /// it took seconds (a full scan and sort); the row id is the order the daemon stored them in.
    public func lastSample() throws(StoreError) -> StoredSample? {
        try read { db in
            try StoredSample.fetchOne(db, sql: "SELECT * FROM sample ORDER BY id DESC LIMIT 1")
        }
    }

    /// Samples with a row id above `rowID`, oldest first (for following new presses).
    public func samples(afterRowID rowID: Int64, limit: Int = 1000) throws(StoreError) -> [StoredSample] {
        try read { db in
            try StoredSample.fetchAll(db, sql: "SELECT * FROM sample WHERE id > ? ORDER BY id LIMIT ?",
                                      arguments: [rowID, limit])
        }
    }

    /// Samples recorded in `range`, oldest first.
    public func samples(in range: Range<Int64>) throws(StoreError) -> [StoredSample] {
        try read { db in
            try StoredSample.fetchAll(db, sql: """
                SELECT * FROM sample WHERE recorded_at >= ? AND recorded_at < ? ORDER BY recorded_at, id
                """, arguments: [range.lowerBound, range.upperBound])
        }
    }

    /// Totals over the whole database.
    public func totals() throws(StoreError) -> (samples: Int, unsynced: Int) {
        try read { db in
            let samples = try Int.fetchOne(db, sql: "SELECT count(*) FROM sample") ?? 0
            let unsynced = try Int.fetchOne(db, sql: "SELECT count(*) FROM sample WHERE sync_state = 'pending'") ?? 0
            return (samples, unsynced)
        }
    }

    /// Bytes on disk: the database and its write-ahead log.
    public func sizeOnDisk() -> Int64 {
        [path, path + "-wal", path + "-shm"].reduce(Int64(0)) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
            return total + (size ?? 0)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw .query(path: path, reason: SmileyDatabase.describe(error))
        }
    }
}

import Foundation
import GRDB
import SmileyCore
import SmileyPlatform

/// Moves the samples this boot recorded before the clock was synchronized to their true time
/// (those not yet handed to the upstream sync).
enum ClockCorrection {
    /// - Returns: the number of samples corrected.
    @discardableResult
    static func apply(bootID: String, syncMonotonicNs: UInt64, syncWallMs: Int64, zone: Zone,
                      in db: Database) throws -> Int {
        // A sample already given to an upstream batch (or synced) is frozen: the receiver has, or
        // will get, exactly what was sent, and a retry must send the same payload under the same key.
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, monotonic_ns FROM sample
            WHERE boot_id = ? AND clock_synchronized = 0 AND recorded_at_original IS NULL
              AND sync_state = 'pending' AND id > \(SyncStore.formedUpToSQL)
            """, arguments: [bootID])
        let update = try db.cachedStatement(sql: """
            UPDATE sample SET recorded_at_original = recorded_at, recorded_at = ?, utc_offset = ?
            WHERE id = ?
            """)
        for row in rows {
            let id: Int64 = row["id"]
            let monotonic = UInt64(bitPattern: row["monotonic_ns"] as Int64)
            let corrected = ClockArithmetic.corrected(recordMonotonicNs: monotonic,
                                                      syncMonotonicNs: syncMonotonicNs, syncWallMs: syncWallMs)
            let offset = zone.secondsFromUTC(atMs: corrected)
            try update.execute(arguments: [corrected, offset, id])
        }
        return rows.count
    }
}

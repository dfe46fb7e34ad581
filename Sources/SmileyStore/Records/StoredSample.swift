import Foundation
import GRDB
import SmileyCore

/// A sample as read back from the store.
public struct StoredSample: Sendable, Hashable, FetchableRecord {
    public var rowID: Int64
    public var id: UUID
    public var terminal: String
    public var site: String
    public var survey: String
    public var button: Int
    public var scale: Int
    public var buttonName: String
    public var recordedAtMs: Int64
    public var utcOffsetSeconds: Int
    public var bootID: String
    public var monotonicNs: UInt64
    public var clockSynchronized: Bool
    /// Before a clock correction moved it; nil when never corrected.
    public var originalRecordedAtMs: Int64?
    public var misuse: MisuseReason?
    public var heldMs: Int64?
    public var synced: Bool
    /// The `sync_state` column as stored (`pending`, `synced`, …).
    public var syncState: String

    public init(row: Row) throws {
        rowID = row["id"]
        id = row["uuid"]
        terminal = row["terminal"]
        site = row["site"]
        survey = row["survey"]
        button = row["button"]
        scale = row["scale"]
        buttonName = row["button_name"]
        recordedAtMs = row["recorded_at"]
        utcOffsetSeconds = row["utc_offset"]
        bootID = row["boot_id"]
        monotonicNs = UInt64(bitPattern: row["monotonic_ns"] as Int64)
        clockSynchronized = row["clock_synchronized"]
        originalRecordedAtMs = row["recorded_at_original"]
        misuse = (row["misuse"] as String?).flatMap(MisuseReason.init(rawValue:))
        heldMs = row["held_ms"]
        syncState = row["sync_state"]
        synced = syncState == "synced"
    }

    /// `synchronized`, `corrected` (taken before sync, moved after) or `unsynchronized`.
    public var clockState: String {
        if clockSynchronized { return "synchronized" }
        return originalRecordedAtMs == nil ? "unsynchronized" : "corrected"
    }
}

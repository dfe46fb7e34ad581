import Foundation
import GRDB
import SmileyCore

/// A sample as read back from the store: the row as it was recorded (``NewSample``; after a clock
/// correction, the corrected time) plus what happened to it since. Reads `sample.survey` etc. through.
@dynamicMemberLookup
public struct StoredSample: Sendable, Hashable, FetchableRecord {
    public var rowID: Int64
    public var recorded: NewSample
    /// Before a clock correction moved it; nil when never corrected.
    public var originalRecordedAtMs: Int64?
    public var heldMs: Int64?
    public var synced: Bool
    /// The `sync_state` column as stored (`pending`, `synced`, …).
    public var syncState: String

    public init(row: Row) throws {
        rowID = row["id"]
        recorded = NewSample(
            id: row["uuid"], terminal: row["terminal"], site: row["site"], survey: row["survey"],
            button: row["button"], scale: row["scale"], buttonName: row["button_name"],
            recordedAtMs: row["recorded_at"], utcOffsetSeconds: row["utc_offset"], bootID: row["boot_id"],
            monotonicNs: UInt64(bitPattern: row["monotonic_ns"] as Int64), clockSynchronized: row["clock_synchronized"],
            misuse: (row["misuse"] as String?).flatMap(MisuseReason.init(rawValue:)))
        originalRecordedAtMs = row["recorded_at_original"]
        heldMs = row["held_ms"]
        syncState = row["sync_state"]
        synced = syncState == "synced"
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<NewSample, Value>) -> Value {
        get { recorded[keyPath: keyPath] }
        set { recorded[keyPath: keyPath] = newValue }
    }

    /// `synchronized`, `corrected` (taken before sync, moved after) or `unsynchronized`.
    public var clockState: String {
        if recorded.clockSynchronized { return "synchronized" }
        return originalRecordedAtMs == nil ? "unsynchronized" : "corrected"
    }
}

import Foundation
import GRDB
import SmileyCore

/// How much waits to be sent.
public struct SyncCounts: Sendable, Hashable, Codable {
    /// Samples not yet synced (in a batch or not, quarantined included).
    public var unsynced: Int
    /// Of those, samples in quarantined batches.
    public var quarantinedSamples: Int
    public var quarantinedBatches: Int
    /// Batches formed and not yet acknowledged (pending or in flight).
    public var openBatches: Int
    /// Recorded time of the oldest unsynced sample.
    public var oldestUnsyncedMs: Int64?

    public init(unsynced: Int = 0, quarantinedSamples: Int = 0, quarantinedBatches: Int = 0, openBatches: Int = 0,
                oldestUnsyncedMs: Int64? = nil) {
        self.unsynced = unsynced
        self.quarantinedSamples = quarantinedSamples
        self.quarantinedBatches = quarantinedBatches
        self.openBatches = openBatches
        self.oldestUnsyncedMs = oldestUnsyncedMs
    }

    /// Samples the uploader will send without being asked (quarantined ones wait for a person).
    public var sendable: Int { unsynced - quarantinedSamples }
}

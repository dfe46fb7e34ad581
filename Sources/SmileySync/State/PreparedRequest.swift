import SmileyStore

/// What a sync request found when it came.
public struct PreparedRequest: Sendable, Hashable {
    /// Quarantined batches and samples put back in line (with `--retry-quarantined`).
    public var requeuedBatches: Int
    public var requeuedSamples: Int
    /// The newest sample row id: the request covers samples up to it.
    public var horizon: Int64
    public var unsynced: UnsyncedCount
    /// The database's counts (nil: they could not be read).
    public var counts: SyncCounts?

    public init(requeuedBatches: Int = 0, requeuedSamples: Int = 0, horizon: Int64, unsynced: UnsyncedCount, counts: SyncCounts?) {
        self.requeuedBatches = requeuedBatches
        self.requeuedSamples = requeuedSamples
        self.horizon = horizon
        self.unsynced = unsynced
        self.counts = counts
    }
}

import SmileyStore

/// What the sync state machine asks the shell to do. Store actions and sends report back with the
/// matching ``SyncEvent``; the others only need doing.
public enum SyncAction: Sendable {
    /// Read the database's counts → ``SyncEvent/counted(_:)``.
    case recount
    /// Read the highest sample row id → ``SyncEvent/newestRowRead(_:)``.
    case readNewestRow
    /// Put quarantined batches back (if asked), read the newest row id, the unsynced samples up to
    /// it and the counts → ``SyncEvent/requestPrepared(id:prepared:)`` or ``SyncEvent/requestFailed(id:error:)``.
    case prepareRequest(id: Int, retryQuarantined: Bool)
    /// Count the unsynced samples up to each request's horizon → ``SyncEvent/requestsCounted(_:)``.
    case countRequests([Int: Int64])
    /// One transaction: record the receipts of `delivered` (their samples synced), then form up to
    /// `count` batches of `form` (none when nil), not handing out `excluding` → ``SyncEvent/settled(_:)``.
    case settle(delivered: [DeliveredBatch], form: BatchSelection?, count: Int, excluding: Set<Int64>)
    /// Send a batch (concurrently with others) → ``SyncEvent/answered(_:_:)``.
    case send(SyncBatch)
    /// Record a failed attempt (same key, same samples next time); `logFailure`: log it if the
    /// record cannot be written.
    case recordFailure(SyncBatch, status: Int?, message: String, logFailure: Bool)
    /// Keep a refused batch out of the automatic retries → ``SyncEvent/quarantineRecorded(_:status:reason:error:)``.
    case quarantine(SyncBatch, status: Int, reason: String)
    /// Whether a batch could be formed with `selection` → ``SyncEvent/probed(_:)``.
    case probeUnheld(BatchSelection)
    /// Prune synced samples past retention (when `prune`) and check the free space.
    case maintain(prune: Bool)
    /// Fire ``SyncEvent/timerFired`` at this instant (on ``SyncTime/elapsed``'s scale); replaces
    /// the previous wake-up.
    case wake(at: Duration)
    /// Publish the status.
    case publish(SyncStatus)
    /// Report a request's progress.
    case progress(id: Int, SyncProgress)
    /// The request is over (after its last progress).
    case finishRequest(id: Int)
    case log(SyncLogEntry)
}

/// A batch the receiver acknowledged, with the HTTP status of the answer.
public struct DeliveredBatch: Sendable, Hashable {
    public var batch: SyncBatch
    public var status: Int

    public init(batch: SyncBatch, status: Int) {
        self.batch = batch
        self.status = status
    }
}

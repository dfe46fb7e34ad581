import SmileyStore

/// What the sync state machine is told: triggers from outside, the timer, and the results of the
/// actions it asked for (store reads and writes, answers of the receiver).
public enum SyncEvent: Sendable {
    // Triggers.
    /// The uploader runs: its first event.
    case start
    /// New presses were committed (this many new samples).
    case samplesCommitted(Int)
    /// The daemon committed the clock correction: this boot's early samples have their true time.
    case clockSynchronized
    /// A link came up or a route appeared.
    case networkUp
    /// The store failed (or recovered).
    case storeHealth(failing: Bool)
    /// `smileyctl sync`: request `id` asks to send everything unsynced now.
    case syncRequested(id: Int, retryQuarantined: Bool)
    /// The requester stopped listening.
    case requestDropped(id: Int)
    /// The heartbeat went out (`atMs`) or failed (`error`).
    case heartbeat(atMs: Int64?, error: String?)
    /// The retention service read the free space.
    case diskChecked(freeBytes: Int64?, warning: String?)
    /// The wake-up asked for with ``SyncAction/wake(at:)`` is due.
    case timerFired
    /// The uploader stops (shutdown).
    case stop

    // Results of actions.
    /// ``SyncAction/recount``: the database's counts (nil: it could not be read).
    case counted(SyncCounts?)
    /// ``SyncAction/readNewestRow``: the highest sample row id (nil: it could not be read).
    case newestRowRead(Int64?)
    /// ``SyncAction/prepareRequest(id:retryQuarantined:)`` succeeded.
    case requestPrepared(id: Int, prepared: PreparedRequest)
    /// ``SyncAction/prepareRequest(id:retryQuarantined:)`` failed.
    case requestFailed(id: Int, error: String)
    /// ``SyncAction/countRequests(_:)``: unsynced samples up to each request's horizon (a request
    /// whose count could not be read is missing).
    case requestsCounted([Int: UnsyncedCount])
    /// ``SyncAction/settle(delivered:form:count:excluding:)``: the batches formed, or why the
    /// transaction failed.
    case settled(Result<[SyncBatch], StoreFailure>)
    /// ``SyncAction/send(_:)``: what the receiver said.
    case answered(SyncBatch, SendOutcome)
    /// ``SyncAction/quarantine(_:status:reason:)`` was recorded (error nil) or failed.
    case quarantineRecorded(SyncBatch, status: Int, reason: String, error: StoreFailure?)
    /// ``SyncAction/probeUnheld(_:)``: whether a batch could be formed without the clock hold
    /// (nil: the probe failed).
    case probed(Bool?)
}

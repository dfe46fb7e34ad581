import SmileyStore

/// One pass of the uploader in progress: batches formed, on their way, answered; what the pass
/// will conclude with. A pass sends until nothing settled is left to send, or an attempt fails.
struct SyncPass: Sendable {
    /// What the pass waits for.
    enum Step: Sendable, Equatable {
        /// The newest row id, to snapshot the horizon before forming.
        case snapshot
        /// The transaction that records receipts and forms the next batches.
        case forming
        /// Answers of the batches on their way.
        case answers
        /// Recording a refused batch as quarantined.
        case quarantining
        /// The last receipts, recorded without forming more.
        case recordingLast
        /// The counts after a drain that delivered something.
        case recounting
        /// Whether samples wait for the clock correction.
        case probing
    }

    var step: Step = .snapshot
    /// Row ids of the batches on their way.
    var inFlight: Set<Int64> = []
    /// Formed, not yet sent.
    var queue: [SyncBatch] = []
    /// Acknowledged, not yet recorded (recorded with the next forming transaction).
    var acknowledged: [(delivered: DeliveredBatch, receipt: BatchReceipt)] = []
    /// Answers that came while the pass waited for the store; handled in order afterwards.
    var deferredAnswers: [(SyncBatch, SendOutcome)] = []
    var stopLaunching = false
    var exhausted = false
    var deliveredAny = false
    var firstRetry: (batch: SyncBatch, reason: RetryReason)?
    var storeError: String?
    var pauseReason: String?
    /// When the drain ends: the wake-up for rows still settling, computed before the probe.
    var settleWake: Duration?
}

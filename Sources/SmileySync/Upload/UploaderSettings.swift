/// How the uploader paces itself.
public struct UploaderSettings: Sendable {
    /// The most samples in one batch (`upstream.batch-size`).
    public var batchSize: Int
    /// After a press, wait this long so that presses close together travel together.
    public var coalesce: Duration
    /// A sample is sent only once it has been committed at least this long: until then the
    /// interpreter may still re-flag it (a simultaneous second press). The daemon uses
    /// simultaneous-ms + debounce-ms + a margin.
    public var settle: Duration
    /// While samples wait for something other than a trigger (a pause after refusals, samples
    /// held for the clock), look again at least this often (`upstream.interval-seconds`).
    public var interval: Duration
    public var backoff: BackoffPolicy
    /// Samples of `holdBoot` taken before the clock synchronized are held back at most this long
    /// after start, waiting for the correction; a forced sync sends them at once.
    public var clockHoldLimit: Duration
    /// This boot, when its uncorrected samples are to be held (the clock is not synchronized yet).
    public var holdBoot: String?
    /// After this many refused batches in a row, stop forming new ones for `interval`.
    public var refusalsBeforePause: Int
    /// Batches on their way at once (formed, sent, not yet answered). 2 keeps the terminal and
    /// the receiver busy at the same time; 1 sends strictly one after the other.
    public var inFlight: Int
    /// Batches formed per commit while draining (each still committed before it is sent).
    public var lookahead: Int
    /// Synced samples older than this many days are pruned (nil: never); the ``RetentionService``
    /// reads it.
    public var retentionDays: Int?
    /// The database file, for the ``RetentionService``'s free-space check (nil: no check).
    public var databasePath: String?

    public init(batchSize: Int, coalesce: Duration, settle: Duration, interval: Duration, backoff: BackoffPolicy,
                clockHoldLimit: Duration = .seconds(900), holdBoot: String? = nil, refusalsBeforePause: Int = 3,
                inFlight: Int = 2, lookahead: Int = 4, retentionDays: Int? = nil, databasePath: String? = nil) {
        self.batchSize = max(1, batchSize)
        self.coalesce = coalesce
        self.settle = settle
        self.interval = interval
        self.backoff = backoff
        self.clockHoldLimit = clockHoldLimit
        self.holdBoot = holdBoot
        self.refusalsBeforePause = max(1, refusalsBeforePause)
        self.inFlight = max(1, inFlight)
        self.lookahead = max(1, lookahead)
        self.retentionDays = retentionDays
        self.databasePath = databasePath
    }
}

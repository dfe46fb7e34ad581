/// Progress of one `smileyctl sync` request: the samples that were unsynced when it came.
public struct SyncProgress: Codable, Sendable, Equatable {
    /// Of those, not yet synced and not quarantined.
    public var remaining: Int
    /// Of those, in quarantined batches (they need `--retry-quarantined`).
    public var quarantined: Int
    /// Synced since the request.
    public var sent: Int
    public var lastError: String?
    public var nextAttemptAtMs: Int64?
    /// True once `remaining` is 0 (or the request failed).
    public var finished: Bool
    /// Why the request could not be carried out (the database), if so.
    public var failure: String?

    public init(remaining: Int, quarantined: Int, sent: Int, lastError: String? = nil, nextAttemptAtMs: Int64? = nil,
                finished: Bool = false) {
        self.remaining = remaining
        self.quarantined = quarantined
        self.sent = sent
        self.lastError = lastError
        self.nextAttemptAtMs = nextAttemptAtMs
        self.finished = finished
    }
}

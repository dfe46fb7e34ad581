/// When an event happened, as the shell read its clocks: time since the uploader started (the
/// injected monotonic clock) and the wall clock in ms since 1970 (for status and records).
public struct SyncTime: Sendable, Hashable {
    /// Since the uploader started; every deadline of the machine is on this scale.
    public var elapsed: Duration
    public var wallMs: Int64

    public init(elapsed: Duration, wallMs: Int64) {
        self.elapsed = elapsed
        self.wallMs = wallMs
    }
}

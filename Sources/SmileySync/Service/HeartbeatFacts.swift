/// What the heartbeat reports besides the sync's own numbers; the daemon supplies it.
public struct HeartbeatFacts: Sendable {
    public var version: String
    public var startedAtMs: Int64
    public var lastPressAtMs: Int64?
    public var clockSynchronized: Bool
    public var heldButtons: [String]
    public var floodingButtons: [String]

    public init(version: String, startedAtMs: Int64, lastPressAtMs: Int64?, clockSynchronized: Bool, heldButtons: [String],
                floodingButtons: [String] = []) {
        self.version = version
        self.startedAtMs = startedAtMs
        self.lastPressAtMs = lastPressAtMs
        self.clockSynchronized = clockSynchronized
        self.heldButtons = heldButtons
        self.floodingButtons = floodingButtons
    }
}

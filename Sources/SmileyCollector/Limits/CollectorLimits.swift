/// What one collector lets its clients take: connections, time to send a request, request bodies
/// being read at once, and the heartbeat's size. Defaults suit one collector of several behind a
/// load balancer for 10,000 terminals (docs/sync.md, "Limits").
public struct CollectorLimits: Sendable, Equatable {
    /// Open connections at most; beyond it the collector stops accepting until one closes.
    public var maxConnections: Int
    /// A connection that sends nothing for this long is closed, and so is one whose request head is
    /// not complete this long after it opened or after its last answer (the header-read timeout).
    public var idleTimeout: Duration
    /// Request bodies read and decompressed at once; one more is answered 503 with `Retry-After`.
    public var maxConcurrentBodies: Int
    /// The largest heartbeat, after decompression.
    public var maxHeartbeatBytes: Int

    public init(maxConnections: Int = 2048, idleTimeout: Duration = .seconds(30), maxConcurrentBodies: Int = 8,
                maxHeartbeatBytes: Int = 32 * 1024) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.maxConcurrentBodies = maxConcurrentBodies
        self.maxHeartbeatBytes = maxHeartbeatBytes
    }
}

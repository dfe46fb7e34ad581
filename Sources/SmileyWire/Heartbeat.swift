/// The body of `POST /v1/heartbeat` (api/openapi.yaml, `Heartbeat`): how a terminal is doing.
/// Codable too: the collector keeps the last one per terminal and lists it in `GET /v1/terminals`.
public struct Heartbeat: Codable, Sendable, Equatable {
    public var terminal: String
    public var site: String
    public var version: String
    /// RFC 3339.
    public var sentAt: String
    public var uptimeSeconds: Int64
    /// Unsynced samples (quarantined included).
    public var backlog: Int
    public var lastPressAt: String?
    public var lastSyncAt: String?
    public var clockSynchronized: Bool
    /// Buttons held down now (stuck?).
    public var heldButtons: [String]
    public var diskFreeBytes: Int64?
    public var lowDisk: Bool
    public var quarantinedBatches: Int
    public var quarantinedSamples: Int
    public var lastError: String?

    public init(terminal: String, site: String, version: String, sentAt: String, uptimeSeconds: Int64, backlog: Int,
                lastPressAt: String?, lastSyncAt: String?, clockSynchronized: Bool, heldButtons: [String],
                diskFreeBytes: Int64?, lowDisk: Bool, quarantinedBatches: Int, quarantinedSamples: Int, lastError: String?) {
        self.terminal = terminal
        self.site = site
        self.version = version
        self.sentAt = sentAt
        self.uptimeSeconds = uptimeSeconds
        self.backlog = backlog
        self.lastPressAt = lastPressAt
        self.lastSyncAt = lastSyncAt
        self.clockSynchronized = clockSynchronized
        self.heldButtons = heldButtons
        self.diskFreeBytes = diskFreeBytes
        self.lowDisk = lowDisk
        self.quarantinedBatches = quarantinedBatches
        self.quarantinedSamples = quarantinedSamples
        self.lastError = lastError
    }

    /// The largest count or size a heartbeat carries: the largest integer JSON numbers hold exactly.
    public static let maxCount: Int64 = 9_007_199_254_740_991
}

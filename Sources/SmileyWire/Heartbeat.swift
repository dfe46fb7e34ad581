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
    /// Buttons flooding now (presses far faster than a person's; stored flagged). Terminals that
    /// predate it do not send it: read as none.
    public var floodingButtons: [String]
    public var diskFreeBytes: Int64?
    public var lowDisk: Bool
    public var quarantinedBatches: Int
    public var quarantinedSamples: Int
    public var lastError: String?

    public init(terminal: String, site: String, version: String, sentAt: String, uptimeSeconds: Int64, backlog: Int,
                lastPressAt: String?, lastSyncAt: String?, clockSynchronized: Bool, heldButtons: [String],
                diskFreeBytes: Int64?, lowDisk: Bool, quarantinedBatches: Int, quarantinedSamples: Int, lastError: String?,
                floodingButtons: [String] = []) {
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
        self.floodingButtons = floodingButtons
        self.diskFreeBytes = diskFreeBytes
        self.lowDisk = lowDisk
        self.quarantinedBatches = quarantinedBatches
        self.quarantinedSamples = quarantinedSamples
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case terminal, site, version, sentAt, uptimeSeconds, backlog, lastPressAt, lastSyncAt, clockSynchronized,
             heldButtons, floodingButtons, diskFreeBytes, lowDisk, quarantinedBatches, quarantinedSamples, lastError
    }

    /// A heartbeat the collector stored before `floodingButtons` existed reads with none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(terminal: try c.decode(String.self, forKey: .terminal), site: try c.decode(String.self, forKey: .site),
                  version: try c.decode(String.self, forKey: .version), sentAt: try c.decode(String.self, forKey: .sentAt),
                  uptimeSeconds: try c.decode(Int64.self, forKey: .uptimeSeconds), backlog: try c.decode(Int.self, forKey: .backlog),
                  lastPressAt: try c.decodeIfPresent(String.self, forKey: .lastPressAt),
                  lastSyncAt: try c.decodeIfPresent(String.self, forKey: .lastSyncAt),
                  clockSynchronized: try c.decode(Bool.self, forKey: .clockSynchronized),
                  heldButtons: try c.decode([String].self, forKey: .heldButtons),
                  diskFreeBytes: try c.decodeIfPresent(Int64.self, forKey: .diskFreeBytes),
                  lowDisk: try c.decode(Bool.self, forKey: .lowDisk),
                  quarantinedBatches: try c.decode(Int.self, forKey: .quarantinedBatches),
                  quarantinedSamples: try c.decode(Int.self, forKey: .quarantinedSamples),
                  lastError: try c.decodeIfPresent(String.self, forKey: .lastError),
                  floodingButtons: try c.decodeIfPresent([String].self, forKey: .floodingButtons) ?? [])
    }

    /// The largest count or size a heartbeat carries: the largest integer JSON numbers hold exactly.
    public static let maxCount: Int64 = 9_007_199_254_740_991
}

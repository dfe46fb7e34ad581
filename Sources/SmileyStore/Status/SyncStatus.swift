import Foundation

/// The upstream sync's part of ``DaemonStatus`` (absent when no `upstream:` is configured).
public struct SyncStatus: Codable, Sendable, Equatable {
    /// What the uploader is doing now.
    public enum State: String, Codable, Sendable {
        /// Nothing to send.
        case idle
        /// Samples wait a moment: the coalescing window, recent presses settling, a clock to sync.
        case waiting
        /// A request is on its way.
        case sending
        /// The last attempt failed; the next one is at `nextAttemptAtMs`.
        case retrying
        /// The receiver refused several batches in a row; new ones wait until `nextAttemptAtMs`.
        case paused
    }

    /// The receiver's base URL (`upstream.url`).
    public var url: String
    public var state: State
    /// Samples not yet synced, quarantined ones included.
    public var backlog: Int
    public var quarantinedBatches: Int
    public var quarantinedSamples: Int
    /// Samples of this boot held back until the clock synchronizes (their time is corrected then).
    public var holdingForClock: Bool
    /// Samples the receiver acknowledged since the daemon started.
    public var sentSinceStart: Int
    public var lastSuccessAtMs: Int64?
    public var lastAttemptAtMs: Int64?
    public var lastError: String?
    public var lastErrorAtMs: Int64?
    /// Consecutive failed attempts (0 after a success).
    public var consecutiveFailures: Int
    public var nextAttemptAtMs: Int64?
    public var lastHeartbeatAtMs: Int64?
    public var lastHeartbeatError: String?
    /// Free space for the database's file system, and a warning when it runs low.
    public var diskFreeBytes: Int64?
    public var lowDisk: String?

    public init(url: String) {
        self.url = url
        self.state = .idle
        self.backlog = 0
        self.quarantinedBatches = 0
        self.quarantinedSamples = 0
        self.holdingForClock = false
        self.sentSinceStart = 0
        self.consecutiveFailures = 0
    }
}

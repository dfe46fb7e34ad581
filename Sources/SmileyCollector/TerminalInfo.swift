import Foundation
import SmileyCore
import SmileyWire

public struct TerminalInfo: Codable, Sendable, Equatable {
    public var terminal: String
    public var samples: Int
    public var lastBatchAt: String?
    public var lastHeartbeatAt: String?
    /// The last heartbeat as the terminal sent it.
    public var heartbeat: Heartbeat?
}

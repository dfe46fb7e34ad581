import Foundation
import SmileyStore

/// The daemon's control socket (`<runtime-directory>/control.sock`): one JSON object per line.
///
/// Request: `{"command":"sync","retryQuarantined":false}` — the daemon answers with progress lines
/// `{"type":"progress","progress":{…}}` until one has `"finished":true`, then closes.
/// `{"command":"status"}` answers one `{"type":"status","status":{…}}` line.
/// Anything else gets `{"type":"error","message":"…"}`.
public enum ControlProtocol {
    public static let socketName = "control.sock"

    public static func socketPath(runtimeDirectory: String) -> String {
        (runtimeDirectory as NSString).appendingPathComponent(socketName)
    }

    /// The longest request line accepted.
    public static let maxRequestBytes = 4096
}

public struct ControlRequest: Codable, Sendable, Equatable {
    public var command: String
    public var retryQuarantined: Bool?

    public init(command: String, retryQuarantined: Bool? = nil) {
        self.command = command
        self.retryQuarantined = retryQuarantined
    }
}

public struct ControlReply: Codable, Sendable, Equatable {
    public var type: String
    public var progress: SyncProgress?
    public var status: SyncStatus?
    public var message: String?

    public init(type: String, progress: SyncProgress? = nil, status: SyncStatus? = nil, message: String? = nil) {
        self.type = type
        self.progress = progress
        self.status = status
        self.message = message
    }

    /// The reply as one line of the protocol (the daemon's side writes it).
    public func line() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = (try? encoder.encode(self)) ?? Data(#"{"type":"error","message":"cannot encode the reply"}"#.utf8)
        data.append(0x0A)
        return data
    }
}

import Foundation

/// What the running daemon says about itself, in `<runtime-directory>/status.json`.
/// `smileyctl status` reads it; the file lives on tmpfs and survives a full data disk.
public struct DaemonStatus: Codable, Sendable, Equatable {
    public struct LastPress: Codable, Sendable, Equatable {
        public var id: String
        public var button: String
        public var recordedAtMs: Int64
        public var misuse: String?

        public init(id: String, button: String, recordedAtMs: Int64, misuse: String?) {
            self.id = id
            self.button = button
            self.recordedAtMs = recordedAtMs
            self.misuse = misuse
        }
    }

    public var pid: Int32
    public var version: String
    public var startedAtMs: Int64
    public var updatedAtMs: Int64
    public var input: String
    public var database: String
    /// Presses committed since the daemon started.
    public var committedPresses: Int
    public var lastPress: LastPress?
    public var heldButtons: [String]
    /// Buttons flooding now (presses far faster than a person's); nil from a daemon before floods.
    public var floodingButtons: [String]?
    public var clockSynchronized: Bool
    public var storeFailure: String?
    public var storeFailingSinceMs: Int64?
    public var storePending: Int
    /// Why the last WAL checkpoint failed (nil once one succeeds): presses still commit, the
    /// write-ahead log grows until a checkpoint succeeds.
    public var checkpointFailure: String?
    /// The upstream sync; nil when no `upstream:` is configured.
    public var sync: SyncStatus?

    public init(pid: Int32, version: String, startedAtMs: Int64, input: String, database: String,
                clockSynchronized: Bool) {
        self.pid = pid
        self.version = version
        self.startedAtMs = startedAtMs
        self.updatedAtMs = startedAtMs
        self.input = input
        self.database = database
        self.committedPresses = 0
        self.lastPress = nil
        self.heldButtons = []
        self.clockSynchronized = clockSynchronized
        self.storeFailure = nil
        self.storeFailingSinceMs = nil
        self.storePending = 0
    }

    public static let fileName = "status.json"

    /// Reads the status file of a daemon that is still running; nil when there is none.
    public static func readLive(runtimeDirectory: String) -> DaemonStatus? {
        let path = (runtimeDirectory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path),
              let status = try? JSONDecoder().decode(DaemonStatus.self, from: data) else { return nil }
        // A stale file from a daemon that died: the process is gone.
        guard kill(status.pid, 0) == 0 || errno == EPERM else { return nil }
        return status
    }
}

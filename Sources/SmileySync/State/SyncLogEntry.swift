/// A line the machine asks the shell to log (the machine itself has no logger).
public struct SyncLogEntry: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable {
        case debug, info, notice, warning, error
    }

    public var level: Level
    public var message: String
    public var metadata: [String: String]

    public init(_ level: Level, _ message: String, _ metadata: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.metadata = metadata
    }
}

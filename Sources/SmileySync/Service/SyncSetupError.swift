import SmileyCore

/// Why the sync cannot start (a token file open to others, a CA file that does not load, the sync
/// lock taken) or, in `smileyd --sync-once`, cannot go on (the database).
public struct SyncSetupError: UserFacingError, Sendable {
    public var description: String
    public var exitCode: Int32

    public init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }
}

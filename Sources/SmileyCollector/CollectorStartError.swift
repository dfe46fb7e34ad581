import SmileyCore

/// smiley-collector cannot start: its database will not open (74) or its port will not listen (69).
public struct CollectorStartError: UserFacingError, Sendable {
    public var description: String
    public var exitCode: Int32

    public init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }
}

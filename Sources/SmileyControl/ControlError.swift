import SmileyCore
import SmileyConfig
import SmileyStore

/// A failure smileyctl reports as one line and a sysexits status.
public struct ControlError: UserFacingError, Sendable {
    public var description: String
    public var exitCode: Int32

    public init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }

    static func usage(_ message: String) -> ControlError { ControlError(message, exitCode: 64) }

    /// Any other module's error for a person, as smileyctl reports it.
    init(_ error: some UserFacingError) { self.init(error.description, exitCode: error.exitCode) }
}

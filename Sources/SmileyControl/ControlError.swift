import SmileyConfig
import SmileyStore

/// A failure smileyctl reports as one line and a sysexits status.
public struct ControlError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public var exitCode: Int32

    public init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }

    static func usage(_ message: String) -> ControlError { ControlError(message, exitCode: 64) }

    init(_ error: ConfigError) { self.init(error.description, exitCode: error.exitCode) }
    init(_ error: StoreError) { self.init(error.description, exitCode: error.exitCode) }
}

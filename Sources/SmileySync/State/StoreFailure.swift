import SmileyStore

/// A store operation's failure, as text (what status and progress show).
public struct StoreFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A fleet query's filter that cannot be read as given.
public struct RollupFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// What is wrong with a `postgresql://` URL (reported by the configuration reader at the value).
public struct PostgresURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

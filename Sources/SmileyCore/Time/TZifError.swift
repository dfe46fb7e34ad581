/// Why bytes are not a usable compiled zone file (RFC 8536).
public struct TZifError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "not a usable TZif zone file: \(message)" }
}

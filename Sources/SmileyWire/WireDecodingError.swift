/// A body the contract does not allow: what is wrong, where (its JSON path, and the byte where
/// reading stopped when the body is not well-formed for its type), and what is allowed.
public struct WireDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The whole message for a person, as the collector answers it.
    public var message: String
    /// The JSON path of the value, such as `samples[3].button`; empty for the document itself.
    public var path: String
    /// The byte where reading stopped, for a body that is not well-formed JSON of its type.
    public var offset: Int?

    public var description: String { message }

    public init(message: String, path: String, offset: Int? = nil) {
        self.message = message
        self.path = path
        self.offset = offset
    }

    /// A body that is not well-formed JSON of its type: "the body is not a batch: at byte 12: samples[0]: expected an object".
    static func syntax(_ document: String, offset: Int, path: String, problem: String) -> WireDecodingError {
        WireDecodingError(message: "the body is not \(document): at byte \(offset): \(path.isEmpty ? "" : path + ": ")\(problem)",
                          path: path, offset: offset)
    }

    /// A well-formed body with a value the contract does not allow: "samples[0].scale: expected 2 to 5".
    static func contract(_ path: String, _ problem: String) -> WireDecodingError {
        WireDecodingError(message: "\(path): \(problem)", path: path)
    }
}

/// Why a text is not a timestamp of ``RFC3339``'s grammar: what, where, and what is allowed.
public struct TimestampError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text read (at most ``RFC3339/maxLength`` characters of it).
    public var text: String
    /// 1-based character position of the problem.
    public var position: Int
    public var problem: String

    public init(text: String, position: Int, problem: String) {
        self.text = text
        self.position = position
        self.problem = problem
    }

    public var description: String {
        "\"\(text)\" is not a timestamp: \(problem) at character \(position); expected \(RFC3339.grammar), e.g. \(RFC3339.example)"
    }
}

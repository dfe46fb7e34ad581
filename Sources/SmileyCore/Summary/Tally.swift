/// Raw tallies for a period, as the store counts them.
public struct Tally: Sendable, Equatable {
    /// Accepted presses per button (index 0 = most negative).
    public var accepted: [Int]
    /// Flagged presses per button and reason.
    public var flagged: [MisuseReason: [Int]]
    /// Presses that raised a held/stuck warning.
    public var held: Int

    public init(buttons: Int) {
        accepted = Array(repeating: 0, count: buttons)
        flagged = Dictionary(uniqueKeysWithValues: MisuseReason.allCases.map { ($0, Array(repeating: 0, count: buttons)) })
        held = 0
    }

    /// Adds `count` presses of one button with one misuse state.
    public mutating func add(button: Int, misuse: MisuseReason?, count: Int = 1) {
        guard accepted.indices.contains(button) else { return }
        if let misuse {
            flagged[misuse, default: Array(repeating: 0, count: accepted.count)][button] += count
        } else {
            accepted[button] += count
        }
    }

    public var acceptedTotal: Int { accepted.reduce(0, +) }
    public func flaggedTotal(_ reason: MisuseReason) -> Int { flagged[reason]?.reduce(0, +) ?? 0 }
}

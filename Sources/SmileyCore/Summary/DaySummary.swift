/// The summary of one local day: counts per button and the satisfaction index.
public struct DaySummary: Sendable, Equatable {
    public struct Button: Sendable, Equatable {
        public var index: Int
        public var name: String
        public var count: Int
    }

    /// `YYYY-MM-DD` in `timezone`.
    public var day: String
    public var timezone: String
    public var accepted: Int
    public var misuse: [MisuseReason: Int]
    public var includeMisuse: Bool
    public var held: Int
    /// Counted presses per button: accepted ones, plus flagged ones with `includeMisuse`.
    public var buttons: [Button]
    public var satisfactionIndex: Double?

    /// - Parameters:
    ///   - names: button names, most negative first; their count is the scale.
    public init(day: String, timezone: String, names: [String], tally: Tally, includeMisuse: Bool) {
        self.day = day
        self.timezone = timezone
        self.accepted = tally.acceptedTotal
        self.misuse = Dictionary(uniqueKeysWithValues: MisuseReason.allCases.map { ($0, tally.flaggedTotal($0)) })
        self.includeMisuse = includeMisuse
        self.held = tally.held
        var counts = tally.accepted
        if includeMisuse {
            for perButton in tally.flagged.values {
                for index in counts.indices where perButton.indices.contains(index) {
                    counts[index] += perButton[index]
                }
            }
        }
        self.buttons = names.enumerated().map { index, name in
            Button(index: index, name: name, count: counts.indices.contains(index) ? counts[index] : 0)
        }
        self.satisfactionIndex = SatisfactionIndex.compute(counts: buttons.map(\.count))
    }

    /// Presses counted in `buttons`.
    public var counted: Int { buttons.reduce(0) { $0 + $1.count } }
}

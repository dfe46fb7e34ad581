/// The figures of one bucket (a period, a day, an hour): counts and shares per button, the
/// satisfaction index, the top-2 share and the net score.
///
/// - The index, top-2 share and net score need at least `minSamples` counted presses; below that
///   the counts and shares are shown but the scores are nil (``belowMinimum`` says why).
/// - Positive buttons are those above the middle of the scale, negative ones below it; the middle
///   button of a 3- or 5-button scale is neither. Top-2 share = the two most positive buttons
///   (the positive button on 2- and 3-button scales), net score = % positive − % negative.
public struct Figures: Sendable, Equatable {
    /// Counted presses per button (index 0 = most negative): accepted ones, plus flagged ones when
    /// flagged presses are included.
    public var counts: [Int]
    /// Accepted (unflagged) presses, whether or not flagged ones are counted.
    public var accepted: Int
    /// Flagged presses per reason.
    public var misuse: [MisuseReason: Int]
    /// Presses that raised a held/stuck warning.
    public var held: Int
    public var includeMisuse: Bool
    public var minSamples: Int
    /// Percent of ``counted`` per button; all 0 when nothing was counted.
    public var shares: [Double]
    /// 0–100; nil when fewer than `minSamples` presses were counted (or none).
    public var satisfactionIndex: Double?
    public var top2Share: Double?
    /// −100…+100.
    public var netScore: Double?

    public init(tally: Tally, includeMisuse: Bool, minSamples: Int) {
        var counts = tally.accepted
        if includeMisuse {
            for perButton in tally.flagged.values {
                for index in counts.indices where perButton.indices.contains(index) {
                    counts[index] += perButton[index]
                }
            }
        }
        self.counts = counts
        self.accepted = tally.acceptedTotal
        self.misuse = Dictionary(uniqueKeysWithValues: MisuseReason.allCases.map { ($0, tally.flaggedTotal($0)) })
        self.held = tally.held
        self.includeMisuse = includeMisuse
        self.minSamples = max(1, minSamples)
        let counted = counts.reduce(0, +)
        shares = counts.map { counted == 0 ? 0 : Double($0) * 100 / Double(counted) }
        if counted >= self.minSamples {
            satisfactionIndex = SatisfactionIndex.compute(counts: counts)
            let scale = counts.count
            var positive = 0, negative = 0, top2 = 0
            for (index, count) in counts.enumerated() {
                let value = Scale.value(ofButton: index, scale: scale)
                if value > 50 { positive += count }
                if value < 50 { negative += count }
            }
            let topButtons = scale >= 4 ? 2 : 1
            top2 = counts.suffix(topButtons).reduce(0, +)
            top2Share = Double(top2) * 100 / Double(counted)
            netScore = Double(positive - negative) * 100 / Double(counted)
        } else {
            satisfactionIndex = nil
            top2Share = nil
            netScore = nil
        }
    }

    /// Presses counted in ``counts``.
    public var counted: Int { counts.reduce(0, +) }

    /// Some presses, but too few for an index.
    public var belowMinimum: Bool { counted > 0 && counted < minSamples }

    public var flagged: Int { misuse.values.reduce(0, +) }
}

extension Tally {
    /// Adds another tally of the same scale.
    public mutating func merge(_ other: Tally) {
        for index in accepted.indices where other.accepted.indices.contains(index) {
            accepted[index] += other.accepted[index]
        }
        for (reason, perButton) in other.flagged {
            var mine = flagged[reason] ?? Array(repeating: 0, count: accepted.count)
            for index in mine.indices where perButton.indices.contains(index) {
                mine[index] += perButton[index]
            }
            flagged[reason] = mine
        }
        held += other.held
    }
}

/// The period against earlier ones: the previous one, or the average of several.
public struct Comparison: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The same weekday last week (for a day), last week, last month.
        case previous
        /// The average of the previous four of them.
        case average
    }

    public var kind: Kind
    /// `same weekday last week`, `average of the previous 4 Sundays`.
    public var name: String
    public var periods: [ReportPeriod]
    /// Counted presses per period (an average for `average`).
    public var counted: Double
    /// The index of all their presses together (a press-weighted average); nil below the minimum
    /// sample (`minSamples` per period on average).
    public var satisfactionIndex: Double?
    /// Now minus then.
    public var countDifference: Double
    /// The difference in percent of then; nil when there was nothing then.
    public var countChangePercent: Double?
    /// Rounded index now minus rounded index then (so the shown figures add up); nil when either
    /// side has no index.
    public var indexDifference: Double?
}

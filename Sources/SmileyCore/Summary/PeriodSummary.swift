/// Everything a summary shows, computed from the store's hourly counts. Pure.
public struct PeriodSummary: Sendable, Equatable {
    public var period: ReportPeriod
    public var timezone: String
    /// nil: every survey.
    public var survey: String?
    public var buttonNames: [String]
    public var total: Figures
    /// Hours of the day (a day), or days (longer periods), in order, empty ones included.
    public var buckets: [SummaryBucket]
    /// Longer periods: the 24 hours of the day summed over the period. Empty for a day.
    public var hourProfile: [ProfileHour]
    public var busiestHour: Highlight?
    /// The hour with the lowest index among those with enough presses for one.
    public var worstHour: Highlight?
    /// Longer periods only.
    public var busiestDay: Highlight?
    public var worstDay: Highlight?
    public var comparisons: [Comparison]

    public var minSamples: Int { total.minSamples }
    public var includeMisuse: Bool { total.includeMisuse }
}

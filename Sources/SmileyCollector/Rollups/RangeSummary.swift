import SmileyCore

/// A set of sites over a range of local days, per survey (read from rollups).
public struct RangeSummary: Codable, Sendable, Equatable {
    /// nil: every site.
    public var sites: [String]?
    public var from: String
    public var to: String
    public var includeMisuse: Bool
    public var minSamples: Int
    public var surveys: [SurveyFigures]

    init(filter: RollupFilter, includeMisuse: Bool, minSamples: Int, rows: [RollupRow]) {
        sites = filter.sites
        from = filter.from.description
        to = filter.to.description
        self.includeMisuse = includeMisuse
        self.minSamples = minSamples
        let tallies = RollupTallies(rows)
        surveys = tallies.surveys.map { tallies.figures($0, includeMisuse: includeMisuse, minSamples: minSamples) }
    }
}

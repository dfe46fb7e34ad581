/// What every read of figures takes (summary, buckets, ranking): the scope, the period, a survey,
/// whether flagged presses count, and the fewest counted presses that get an index.
public struct FiguresQuery: Sendable, Equatable {
    public var scope: FleetScope
    public var period: FleetPeriod
    public var survey: String?
    public var includeMisuse: Bool
    public var minSamples: Int

    /// The kiosk's default for the index, top-2 share and net score (`report.min-samples`).
    public static let defaultMinSamples = 10

    /// Reads `site`, `region`, the period, `survey`, `includeMisuse` and `minSamples`.
    public static func read(_ query: inout QueryReader) throws(CollectorHTTPError) -> FiguresQuery {
        FiguresQuery(scope: try FleetScope.read(&query), period: try FleetPeriod.read(&query), survey: try query.single("survey"),
                     includeMisuse: try flag(&query, "includeMisuse"), minSamples: try minSamples(&query))
    }

    /// `true` or `false`; absent is false.
    public static func flag(_ query: inout QueryReader, _ name: String) throws(CollectorHTTPError) -> Bool {
        guard let value = try query.single(name) else { return false }
        guard value == "true" || value == "false" else {
            throw CollectorHTTPError(.badRequest, "\(query.endpoint): \(name) must be true or false")
        }
        return value == "true"
    }

    static func minSamples(_ query: inout QueryReader) throws(CollectorHTTPError) -> Int {
        guard let value = try query.single("minSamples") else { return defaultMinSamples }
        guard value.utf8.count <= 7, value.utf8.allSatisfy({ (48...57).contains($0) }), let number = Int(value),
              (1...1_000_000).contains(number) else {
            throw CollectorHTTPError(.badRequest, "\(query.endpoint): minSamples=\(value) is not valid; expected 1 to 1000000")
        }
        return number
    }

    /// The rollups to read for `sites` (the scope once the credential is applied).
    func filter(_ sites: FleetSites) throws -> RollupFilter {
        try RollupFilter(sites: sites.sites, from: period.from, to: period.to, survey: survey)
    }
}

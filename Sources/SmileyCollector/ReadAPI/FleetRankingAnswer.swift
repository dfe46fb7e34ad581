import SmileyCore

/// `GET /v1/fleet/ranking`: sites by satisfaction index over a period, best first, one page.
public struct FleetRankingAnswer: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var site: String
        /// nil for a site no site record names (data from a tokens-file terminal).
        public var region: String?
        public var samples: Int
        public var satisfactionIndex: Double?
        public var rank: Int?
    }

    public var scope: FleetScopeDescription
    public var period: FleetPeriodDescription
    public var includeMisuse: Bool
    public var minSamples: Int
    public var sites: [Entry]
    /// The cursor of the next page; absent on the last.
    public var next: String?

    public var csv: String {
        var lines = [CSV.line(["rank", "site", "region", "samples", "satisfaction_index"])]
        for entry in sites {
            lines.append(CSV.line([FleetCSV.number(entry.rank), CSV.text(entry.site), CSV.text(entry.region ?? ""),
                                   String(entry.samples), FleetCSV.number(entry.satisfactionIndex)]))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

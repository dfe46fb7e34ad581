import SmileyCore

/// `GET /v1/fleet/buckets`: the time pattern per local hour (`by=hour`) or weekday × hour
/// (`by=weekday-hour`, ISO weekdays 1 = Monday), per survey, every cell present.
public struct FleetBucketsAnswer: Codable, Sendable, Equatable {
    public var scope: FleetScopeDescription
    public var period: FleetPeriodDescription
    public var by: String
    public var includeMisuse: Bool
    public var minSamples: Int
    public var buckets: [RollupBucket]

    public var csv: String {
        var lines = [CSV.line(["survey", "weekday", "hour", "counted", "accepted", "satisfaction_index", "top2_share",
                               "net_score", "counts"])]
        for bucket in buckets {
            let figures = bucket.figures
            lines.append(CSV.line([CSV.text(figures.survey), FleetCSV.number(bucket.weekday), String(bucket.hour),
                                   String(figures.counted), String(figures.accepted), FleetCSV.number(figures.satisfactionIndex),
                                   FleetCSV.number(figures.top2Share), FleetCSV.number(figures.netScore),
                                   figures.buttons.map { String($0.count) }.joined(separator: " ")]))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

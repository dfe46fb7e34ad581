import SmileyCore

/// `GET /v1/fleet/summary`: a site, sites, a region or the fleet over a period, per survey.
public struct FleetSummaryAnswer: Codable, Sendable, Equatable {
    public var scope: FleetScopeDescription
    public var period: FleetPeriodDescription
    public var includeMisuse: Bool
    public var minSamples: Int
    public var surveys: [SurveyFigures]

    /// One line per survey × button, then one per survey × misuse reason (`kind` says which); the
    /// survey's figures repeat on each of its lines so a spreadsheet can filter by any column.
    public var csv: String {
        var lines = [CSV.line(["kind", "survey", "scale", "button", "name", "count", "share", "counted",
                               "satisfaction_index", "top2_share", "net_score"])]
        for survey in surveys {
            let figures = [String(survey.counted), FleetCSV.number(survey.satisfactionIndex), FleetCSV.number(survey.top2Share),
                           FleetCSV.number(survey.netScore)]
            for button in survey.buttons {
                lines.append(CSV.line(["button", CSV.text(survey.survey), String(survey.scale), String(button.button),
                                       CSV.text(button.name), String(button.count), FleetCSV.number(button.share)] + figures))
            }
            for (reason, count) in survey.misuse.sorted(by: { $0.key < $1.key }) {
                lines.append(CSV.line(["misuse", CSV.text(survey.survey), String(survey.scale), "", reason, String(count), ""]
                                      + figures))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

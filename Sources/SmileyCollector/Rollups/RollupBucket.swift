import SmileyCore

/// One cell of a time pattern: a survey's figures in one local hour of the day, or in one
/// weekday × hour (weekday by ISO: 1 = Monday … 7 = Sunday).
public struct RollupBucket: Codable, Sendable, Equatable {
    /// nil for the hour-of-day pattern.
    public var weekday: Int?
    public var hour: Int
    public var figures: SurveyFigures

    /// Every cell of the pattern for each survey met in `rows` (empty cells with zero counts),
    /// by survey, then weekday and hour.
    static func pattern(rows: [RollupRow], weekdays: Bool, includeMisuse: Bool, minSamples: Int) -> [RollupBucket] {
        struct Cell: Hashable { var weekday: Int; var hour: Int }
        let whole = RollupTallies(rows)
        var cells: [Cell: RollupTallies] = [:]
        for row in rows {
            cells[Cell(weekday: weekdays ? row.weekday : 0, hour: row.hour), default: RollupTallies([])].add(row)
        }
        var buckets: [RollupBucket] = []
        for survey in whole.surveys {
            let names = whole.names(of: survey)
            for weekday in weekdays ? Array(1...7) : [0] {
                for hour in 0..<24 {
                    var tallies = cells[Cell(weekday: weekday, hour: hour)] ?? RollupTallies([])
                    // Names come from the whole range, so an empty cell shows the same names.
                    for (button, name) in names {
                        tallies.add(RollupRow(survey: survey.survey, scale: survey.scale, button: button, name: name, count: 0))
                    }
                    buckets.append(RollupBucket(weekday: weekdays ? weekday : nil, hour: hour,
                                                figures: tallies.figures(survey, includeMisuse: includeMisuse, minSamples: minSamples)))
                }
            }
        }
        return buckets
    }
}

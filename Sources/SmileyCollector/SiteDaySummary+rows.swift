import SmileyCore

extension SiteDaySummary {
    /// The summary of `rows` (ordered by survey, scale, button), each survey in the order met.
    init(site: String, day: String, includeMisuse: Bool, terminals: [String], rows: [SummaryRow]) {
        struct Key: Hashable { var survey: String; var scale: Int }
        var tallies: [Key: Tally] = [:]
        var names: [Key: [Int: String]] = [:]
        var order: [Key] = []
        for row in rows {
            let key = Key(survey: row.survey, scale: row.scale)
            if tallies[key] == nil {
                tallies[key] = Tally(buttons: key.scale)
                order.append(key)
            }
            names[key, default: [:]][row.button] = row.name
            tallies[key]?.add(button: row.button, misuse: row.misuse.flatMap(MisuseReason.init(rawValue:)), count: row.count)
        }
        // The same figures as the fleet's summaries (SmileyCore's rules), the index from one press on.
        let surveys = order.map { key -> SurveyFigures in
            SurveyFigures(survey: key.survey, names: (0..<key.scale).map { names[key]?[$0] ?? "button-\($0)" },
                          tally: tallies[key] ?? Tally(buttons: key.scale), includeMisuse: includeMisuse, minSamples: 1)
        }
        self.init(site: site, day: day, includeMisuse: includeMisuse, terminals: terminals, surveys: surveys)
    }
}

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
        let surveys = order.map { key -> SurveySummary in
            let tally = tallies[key] ?? Tally(buttons: key.scale)
            let buttonNames = (0..<key.scale).map { names[key]?[$0] ?? "button-\($0)" }
            let summary = DaySummary(day: day, timezone: "local", names: buttonNames, tally: tally,
                                     includeMisuse: includeMisuse)
            return SurveySummary(
                survey: key.survey, scale: key.scale, counted: summary.counted, accepted: summary.accepted,
                misuse: Dictionary(uniqueKeysWithValues: summary.misuse.map { ($0.key.rawValue, $0.value) }),
                buttons: summary.buttons.map { .init(button: $0.index, name: $0.name, count: $0.count) },
                satisfactionIndex: summary.satisfactionIndex.map(SatisfactionIndex.rounded))
        }
        self.init(site: site, day: day, includeMisuse: includeMisuse, terminals: terminals, surveys: surveys)
    }
}

import SmileyCore

/// Rollup rows folded into one ``Tally`` per survey and scale, with each button's name (the
/// least of the names sent), surveys in bytewise order of name, then scale.
struct RollupTallies: Sendable {
    struct Survey: Hashable, Sendable, Comparable {
        var survey: String
        var scale: Int

        static func < (a: Survey, b: Survey) -> Bool {
            a.survey.utf8.lexicographicallyPrecedes(b.survey.utf8) || (a.survey == b.survey && a.scale < b.scale)
        }
    }

    private(set) var tallies: [Survey: Tally] = [:]
    private var names: [Survey: [Int: String]] = [:]

    init(_ rows: some Sequence<RollupRow>) {
        for row in rows { add(row) }
    }

    mutating func add(_ row: RollupRow) {
        let key = Survey(survey: row.survey, scale: row.scale)
        tallies[key, default: Tally(buttons: max(row.scale, 0))]
            .add(button: row.button, misuse: row.misuse.flatMap(MisuseReason.init(rawValue:)), count: row.count)
        if let known = names[key]?[row.button], known.utf8.lexicographicallyPrecedes(row.name.utf8) { return }
        names[key, default: [:]][row.button] = row.name
    }

    var surveys: [Survey] { tallies.keys.sorted() }

    /// The figures of one survey (zero counts when it had no samples here).
    func figures(_ survey: Survey, includeMisuse: Bool, minSamples: Int) -> SurveyFigures {
        let buttonNames = (0..<max(survey.scale, 0)).map { names[survey]?[$0] ?? "button-\($0)" }
        return SurveyFigures(survey: survey.survey, names: buttonNames,
                             tally: tallies[survey] ?? Tally(buttons: max(survey.scale, 0)),
                             includeMisuse: includeMisuse, minSamples: minSamples)
    }

    /// Button names of `survey` as met (for filling empty buckets with the same names).
    func names(of survey: Survey) -> [Int: String] { names[survey] ?? [:] }
}

import SmileyCore

/// One survey's figures over a fleet query's bucket: counts and shares per button, misuse, and
/// the satisfaction index, top-2 share and net score by SmileyCore's ``Figures`` (the same rules
/// as the kiosk's summaries), each rounded to one decimal.
public struct SurveyFigures: Codable, Sendable, Equatable {
    public struct Button: Codable, Sendable, Equatable {
        public var button: Int
        public var name: String
        public var count: Int
        /// Percent of ``SurveyFigures/counted``.
        public var share: Double
    }

    public var survey: String
    public var scale: Int
    /// Samples counted in `buttons` (flagged ones only with includeMisuse).
    public var counted: Int
    public var accepted: Int
    /// Flagged samples by reason (every reason, 0 when none).
    public var misuse: [String: Int]
    public var buttons: [Button]
    /// 0–100; nil below the minimum of counted samples.
    public var satisfactionIndex: Double?
    public var top2Share: Double?
    /// −100…+100.
    public var netScore: Double?

    /// - Parameter names: button names, most negative first; their count is the scale.
    public init(survey: String, names: [String], tally: Tally, includeMisuse: Bool, minSamples: Int) {
        let figures = Figures(tally: tally, includeMisuse: includeMisuse, minSamples: minSamples)
        self.survey = survey
        scale = names.count
        counted = figures.counted
        accepted = figures.accepted
        misuse = Dictionary(uniqueKeysWithValues: figures.misuse.map { ($0.key.rawValue, $0.value) })
        buttons = names.enumerated().map { index, name in
            Button(button: index, name: name, count: figures.counts.indices.contains(index) ? figures.counts[index] : 0,
                   share: figures.shares.indices.contains(index) ? SatisfactionIndex.rounded(figures.shares[index]) : 0)
        }
        satisfactionIndex = figures.satisfactionIndex.map(SatisfactionIndex.rounded)
        top2Share = figures.top2Share.map(SatisfactionIndex.rounded)
        netScore = figures.netScore.map(SatisfactionIndex.rounded)
    }
}

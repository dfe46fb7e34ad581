import SmileyCore

/// A site's place in a ranking by satisfaction index over a range.
public struct SiteRank: Codable, Sendable, Equatable {
    public var site: String
    /// Samples counted (flagged ones only with includeMisuse).
    public var samples: Int
    /// 0–100, one decimal, over every survey's counted samples (each button at its value on its
    /// own scale); nil below the minimum of counted samples.
    public var satisfactionIndex: Double?
    /// 1 = best. Sites with the same (rounded) index share a rank and the next rank skips
    /// (1, 2, 2, 4); nil for sites without an index, listed last.
    public var rank: Int?

    /// The ranking of the sites in `rows` (grouped per site): by index, highest first, ties and
    /// unranked sites in bytewise order of site.
    static func ranking(rows: [RollupRow], includeMisuse: Bool, minSamples: Int) -> [SiteRank] {
        var perSite: [String: [RollupRow]] = [:]
        for row in rows { perSite[row.site, default: []].append(row) }
        var entries: [SiteRank] = perSite.map { site, rows in
            let tallies = RollupTallies(rows)
            var counted = 0
            var weighted = 0.0
            for survey in tallies.surveys {
                let figures = Figures(tally: tallies.tallies[survey] ?? Tally(buttons: survey.scale),
                                      includeMisuse: includeMisuse, minSamples: 1)
                counted += figures.counted
                for (button, count) in figures.counts.enumerated() {
                    weighted += Double(count) * Scale.value(ofButton: button, scale: survey.scale)
                }
            }
            let index = counted > 0 && counted >= max(1, minSamples) ? SatisfactionIndex.rounded(weighted / Double(counted)) : nil
            return SiteRank(site: site, samples: counted, satisfactionIndex: index, rank: nil)
        }
        entries.sort { a, b in
            switch (a.satisfactionIndex, b.satisfactionIndex) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.site.utf8.lexicographicallyPrecedes(b.site.utf8)
            }
        }
        for position in entries.indices {
            guard let index = entries[position].satisfactionIndex else { break }
            if position > 0, entries[position - 1].satisfactionIndex == index {
                entries[position].rank = entries[position - 1].rank
            } else {
                entries[position].rank = position + 1
            }
        }
        return entries
    }
}

/// Computes a ``PeriodSummary`` from the store's hourly counts. Pure.
public enum SummaryBuilder {
    /// How many earlier periods the average comparison uses.
    public static let comparisonDepth = 4

    /// - Parameters:
    ///   - zone: the configured zone: it decides which hours a day has (23, 24 or 25).
    ///   - hourly: the store's counts for the period; rows outside it are ignored.
    ///   - earlier: tallies of `period.earlier(1...)`, most recent first (empty for no comparison).
    public static func build(period: ReportPeriod, zone: Zone, buttonNames: [String], survey: String?,
                             includeMisuse: Bool, minSamples: Int, hourly: [HourlyCount],
                             earlier: [(period: ReportPeriod, tally: Tally)]) -> PeriodSummary {
        let buttons = buttonNames.count
        let first = period.firstDay.dayNumber, last = period.lastDay.dayNumber
        var bySlot: [HourSlot: Tally] = [:]
        var total = Tally(buttons: buttons)
        for row in hourly {
            let dayNumber = row.slot.day.dayNumber
            guard dayNumber >= first, dayNumber <= last else { continue }
            bySlot[row.slot, default: Tally(buttons: buttons)].add(row)
            total.add(row)
        }
        func figures(_ tally: Tally, minimum: Int = minSamples) -> Figures {
            Figures(tally: tally, includeMisuse: includeMisuse, minSamples: minimum)
        }

        var summary = PeriodSummary(
            period: period, timezone: zone.identifier, survey: survey, buttonNames: buttonNames,
            total: figures(total), buckets: [], hourProfile: [], busiestHour: nil, worstHour: nil,
            busiestDay: nil, worstDay: nil, comparisons: [])

        switch period.bucketUnit {
        case .hour:
            let day = period.firstDay
            let expected = day.hourSlots(in: zone)
            let slots = Set(expected).union(bySlot.keys.filter { $0.day == day }).sorted()
            var hourCounts: [Int: Int] = [:]
            for slot in slots { hourCounts[slot.hourOfDay, default: 0] += 1 }
            let expectedSet = Set(expected)
            summary.buckets = slots.map { slot in
                var label = slot.clockLabel
                if hourCounts[slot.hourOfDay, default: 0] > 1 || !expectedSet.contains(slot) {
                    label += " " + HourSlot.offsetText(slot.utcOffsetSeconds)
                }
                return SummaryBucket(unit: .hour, day: day, slot: slot, label: label,
                                     figures: figures(bySlot[slot] ?? Tally(buttons: buttons)))
            }
            let hours = summary.buckets.map { bucket in
                (label: hourRange(bucket.slot?.hourOfDay ?? 0, suffix: bucket.label.dropFirst(5)), figures: bucket.figures)
            }
            summary.busiestHour = busiest(hours)
            summary.worstHour = worst(hours)
        case .day:
            var byDay: [Int: Tally] = [:]
            var byHour: [Int: Tally] = [:]
            for (slot, tally) in bySlot {
                byDay[slot.day.dayNumber, default: Tally(buttons: buttons)].merge(tally)
                byHour[slot.hourOfDay, default: Tally(buttons: buttons)].merge(tally)
            }
            summary.buckets = period.days.map { day in
                SummaryBucket(unit: .day, day: day, slot: nil, label: day.description,
                              figures: figures(byDay[day.dayNumber] ?? Tally(buttons: buttons)))
            }
            summary.hourProfile = (0..<24).map { hour in
                let f = figures(byHour[hour] ?? Tally(buttons: buttons))
                return ProfileHour(hourOfDay: hour, figures: f, perDay: Double(f.counted) / Double(period.dayCount))
            }
            let hours = summary.hourProfile.map { (label: hourRange($0.hourOfDay, suffix: ""), figures: $0.figures) }
            summary.busiestHour = busiest(hours)
            summary.worstHour = worst(hours)
            let days = summary.buckets.map { (label: "\($0.day.weekdayName) \($0.day)", figures: $0.figures) }
            summary.busiestDay = busiest(days)
            summary.worstDay = worst(days)
        }

        summary.comparisons = comparisons(period: period, current: summary.total, earlier: earlier,
                                          buttons: buttons, figures: figures)
        return summary
    }

    /// `12:00–13:00`, with a suffix such as ` +03:00`.
    static func hourRange(_ hour: Int, suffix: Substring) -> String {
        RFC3339.padded(hour, 2) + ":00–" + RFC3339.padded((hour + 1) % 24, 2) + ":00" + suffix
    }

    /// The most counted presses; the earliest wins a tie. Nil when nothing was counted.
    static func busiest(_ items: [(label: String, figures: Figures)]) -> Highlight? {
        var best: (label: String, figures: Figures)?
        for item in items where item.figures.counted > 0 {
            if item.figures.counted > (best?.figures.counted ?? 0) { best = item }
        }
        return best.map { Highlight(label: $0.label, counted: $0.figures.counted, satisfactionIndex: $0.figures.satisfactionIndex) }
    }

    /// The lowest index among items that have one; the earliest wins a tie.
    static func worst(_ items: [(label: String, figures: Figures)]) -> Highlight? {
        var worst: (label: String, figures: Figures, index: Double)?
        for item in items {
            guard let index = item.figures.satisfactionIndex else { continue }
            if let found = worst, found.index <= index { continue }
            worst = (item.label, item.figures, index)
        }
        return worst.map { Highlight(label: $0.label, counted: $0.figures.counted, satisfactionIndex: $0.index) }
    }

    static func comparisons(period: ReportPeriod, current: Figures, earlier: [(period: ReportPeriod, tally: Tally)],
                            buttons: Int, figures: (Tally, Int) -> Figures) -> [Comparison] {
        guard !earlier.isEmpty, let names = period.comparisonNames(count: earlier.count) else { return [] }
        func compare(_ kind: Comparison.Kind, _ name: String, _ items: ArraySlice<(period: ReportPeriod, tally: Tally)>) -> Comparison {
            var pooled = Tally(buttons: buttons)
            for item in items { pooled.merge(item.tally) }
            let then = figures(pooled, current.minSamples * items.count)
            let counted = Double(then.counted) / Double(items.count)
            let difference = Double(current.counted) - counted
            var indexDifference: Double?
            if let now = current.satisfactionIndex, let before = then.satisfactionIndex {
                indexDifference = SatisfactionIndex.rounded(SatisfactionIndex.rounded(now) - SatisfactionIndex.rounded(before))
            }
            return Comparison(kind: kind, name: name, periods: items.map(\.period), counted: counted,
                              satisfactionIndex: then.satisfactionIndex, countDifference: difference,
                              countChangePercent: counted > 0 ? difference * 100 / counted : nil,
                              indexDifference: indexDifference)
        }
        var result = [compare(.previous, names.previous, earlier.prefix(1))]
        if earlier.count > 1 {
            result.append(compare(.average, names.average, earlier[...]))
        }
        return result
    }
}

extension Tally {
    mutating func add(_ row: HourlyCount) {
        add(button: row.button, misuse: row.misuse, count: row.count)
        held += row.held
    }
}

import Foundation
import SmileyCore

/// A period summary as people and scripts read it. Pure: a summary in, text out.
/// The JSON and CSV shapes are documented in docs/reports.md; fields are only ever added.
public enum SummaryRendering {
    // MARK: JSON

    /// The core issue's fields first, unchanged — `day`, `timezone`, `accepted`,
    /// `misuse{interval,simultaneous}`, `buttons[{index,name,count}]`, `satisfactionIndex`,
    /// `includeMisuse`, `counted`, `held` — then the added ones. `day` is null for periods longer
    /// than a day. Scores are rounded to one decimal and null below the minimum sample.
    public static func json(_ summary: PeriodSummary) -> JSONValue {
        let total = summary.total
        var fields: [(String, JSONValue)] = [
            ("day", summary.period.kind == .day ? .string(summary.period.firstDay.description) : .null),
            ("timezone", .string(summary.timezone)),
            ("accepted", .int(total.accepted)),
            ("misuse", misuseJSON(total)),
            ("buttons", .array(summary.buttonNames.enumerated().map { index, name in
                .object([("index", .int(index)), ("name", .string(name)), ("count", .int(total.counts[safe: index] ?? 0)),
                         ("share", .double(rounded(total.shares[safe: index] ?? 0)))])
            })),
            ("satisfactionIndex", score(total.satisfactionIndex)),
            ("includeMisuse", .bool(total.includeMisuse)),
            ("counted", .int(total.counted)),
            ("held", .int(total.held)),
        ]
        fields += [
            ("period", .object([
                ("kind", .string(summary.period.kind.rawValue)),
                ("label", .string(summary.period.label)),
                ("from", .string(summary.period.firstDay.description)),
                ("to", .string(summary.period.lastDay.description)),
                ("days", .int(summary.period.dayCount)),
            ])),
            ("survey", summary.survey.map { .string($0) } ?? .null),
            ("minSamples", .int(summary.minSamples)),
            ("belowMinimum", .bool(total.belowMinimum)),
            ("top2Share", score(total.top2Share)),
            ("netScore", score(total.netScore)),
            ("bucketUnit", .string(summary.period.bucketUnit.rawValue)),
            ("buckets", .array(summary.buckets.map(bucketJSON))),
        ]
        if summary.period.bucketUnit == .day {
            fields.append(("hours", .array(summary.hourProfile.map { hour in
                .object([("hour", .int(hour.hourOfDay)), ("perDay", .double(rounded(hour.perDay)))]
                        + figuresJSON(hour.figures))
            })))
        }
        fields += [
            ("busiestHour", highlightJSON(summary.busiestHour)),
            ("worstHour", highlightJSON(summary.worstHour)),
        ]
        if summary.period.bucketUnit == .day {
            fields += [("busiestDay", highlightJSON(summary.busiestDay)), ("worstDay", highlightJSON(summary.worstDay))]
        }
        fields.append(("comparisons", .array(summary.comparisons.map { comparison in
            .object([
                ("kind", .string(comparison.kind.rawValue)),
                ("name", .string(comparison.name)),
                ("periods", .array(comparison.periods.map { .string($0.label) })),
                ("counted", .double(rounded(comparison.counted))),
                ("satisfactionIndex", score(comparison.satisfactionIndex)),
                ("countDifference", .double(rounded(comparison.countDifference))),
                ("countChangePercent", score(comparison.countChangePercent)),
                ("indexDifference", score(comparison.indexDifference)),
            ])
        })))
        return .object(fields)
    }

    static func bucketJSON(_ bucket: SummaryBucket) -> JSONValue {
        var fields: [(String, JSONValue)] = [("label", .string(bucket.label)), ("date", .string(bucket.day.description))]
        if let slot = bucket.slot {
            fields += [("hour", .int(slot.hourOfDay)), ("start", .string(slot.isoStart)),
                       ("utcOffsetSeconds", .int(slot.utcOffsetSeconds))]
        }
        return .object(fields + figuresJSON(bucket.figures))
    }

    static func figuresJSON(_ figures: Figures) -> [(String, JSONValue)] {
        [
            ("counted", .int(figures.counted)),
            ("counts", .array(figures.counts.map { .int($0) })),
            ("accepted", .int(figures.accepted)),
            ("misuse", misuseJSON(figures)),
            ("held", .int(figures.held)),
            ("satisfactionIndex", score(figures.satisfactionIndex)),
            ("belowMinimum", .bool(figures.belowMinimum)),
        ]
    }

    static func misuseJSON(_ figures: Figures) -> JSONValue {
        .object(MisuseReason.allCases.map { ($0.rawValue, .int(figures.misuse[$0] ?? 0)) })
    }

    static func highlightJSON(_ highlight: Highlight?) -> JSONValue {
        guard let highlight else { return .null }
        return .object([("label", .string(highlight.label)), ("counted", .int(highlight.counted)),
                        ("satisfactionIndex", score(highlight.satisfactionIndex))])
    }

    static func score(_ value: Double?) -> JSONValue { value.map { .double(rounded($0)) } ?? .null }

    /// One decimal, as shown.
    static func rounded(_ value: Double) -> Double { SatisfactionIndex.rounded(value) }

    // MARK: CSV

    /// One header line, a `total` row, then one row per bucket (`hour` or `day`). Empty fields for
    /// scores below the minimum sample. Button columns are `button_<name>`, most negative first.
    public static func csv(_ summary: PeriodSummary) -> String {
        var lines: [String] = []
        let header = ["row", "label", "date", "hour_start", "counted", "accepted", "interval", "simultaneous", "held",
                      "satisfaction_index", "top2_share", "net_score"] + summary.buttonNames.map { "button_\($0)" }
        lines.append(CSV.line(header))
        func row(_ kind: String, _ label: String, _ date: String, _ start: String, _ figures: Figures) -> String {
            var fields = [kind, label, date, start, String(figures.counted), String(figures.accepted),
                          String(figures.misuse[.interval] ?? 0), String(figures.misuse[.simultaneous] ?? 0),
                          String(figures.held), decimal(figures.satisfactionIndex), decimal(figures.top2Share),
                          decimal(figures.netScore)]
            fields += summary.buttonNames.indices.map { String(figures.counts[safe: $0] ?? 0) }
            return CSV.line(fields)
        }
        lines.append(row("total", summary.period.label, "", "", summary.total))
        for bucket in summary.buckets {
            lines.append(row(bucket.unit.rawValue, bucket.label, bucket.day.description, bucket.slot?.isoStart ?? "",
                             bucket.figures))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func decimal(_ value: Double?) -> String {
        value.map { String(format: "%.1f", rounded($0)) } ?? ""
    }

    // MARK: Table

    /// A report for a terminal: buttons with bars, the scores, the comparison, then one row per
    /// hour (a day) or per day (longer periods) with a bar chart scaled to the terminal's width.
    public static func table(_ summary: PeriodSummary, title: String, terminal: Terminal) -> String {
        var lines: [String] = [terminal.bold(title)]
        let total = summary.total
        let width = max(40, terminal.width)

        // Buttons, most positive first.
        let nameWidth = max(6, summary.buttonNames.map(\.count).max() ?? 6)
        let countWidth = max(5, String(total.counts.max() ?? 0).count)
        let buttonBarWidth = max(8, width - (2 + nameWidth + 1 + countWidth + 1 + 6 + 2))
        let maxButton = max(1, total.counts.max() ?? 1)
        for index in summary.buttonNames.indices.reversed() {
            let count = total.counts[safe: index] ?? 0
            let bar = BarChart.bar(value: Double(count), max: Double(maxButton), width: buttonBarWidth)
            let shareText = String(format: "%5.1f%%", total.shares[safe: index] ?? 0)
            lines.append("  \(summary.buttonNames[index].padded(nameWidth)) \(String(count).leftPadded(countWidth)) "
                + "\(shareText)  \(colorForButton(bar, index: index, scale: summary.buttonNames.count, terminal))")
        }

        let what = total.includeMisuse ? "presses (flagged included)" : "accepted presses"
        if let index = total.satisfactionIndex {
            var line = "  Satisfaction index " + colorForIndex(terminal.bold(format1(index)), index, terminal) + " / 100"
            if let top2 = total.top2Share { line += " · top-2 \(format1(top2))%" }
            if let net = total.netScore { line += " · net \(signed(net))" }
            line += " · from \(total.counted) \(what)"
            lines.append(line)
        } else if total.counted == 0 {
            lines.append("  No \(what) — no satisfaction index")
        } else {
            lines.append("  " + terminal.yellow("Only \(total.counted) \(what): fewer than \(total.minSamples), so no index")
                + " (report.min-samples)")
        }
        let interval = total.misuse[.interval] ?? 0, simultaneous = total.misuse[.simultaneous] ?? 0
        if interval + simultaneous > 0 {
            let verb = total.includeMisuse ? "included" : "left out"
            lines.append("  Flagged and \(verb): \(interval) too soon after another press, \(simultaneous) simultaneous")
        }
        if total.held > 0 {
            lines.append("  " + terminal.yellow("Held down past the limit: \(total.held) press\(total.held == 1 ? "" : "es") — check for a stuck button"))
        }

        if !summary.comparisons.isEmpty {
            lines.append("")
            lines += comparisonLines(summary, terminal: terminal)
        }

        lines.append("")
        lines += bucketLines(summary, width: width, terminal: terminal)
        return lines.joined(separator: "\n") + "\n"
    }

    static func comparisonLines(_ summary: PeriodSummary, terminal: Terminal) -> [String] {
        var rows: [[String]] = [["Compared with", "Presses", "", "Index", ""]]
        for comparison in summary.comparisons {
            var name = comparison.name
            if comparison.kind == .previous, let period = comparison.periods.first { name += " (\(period.label))" }
            let counted = comparison.kind == .average ? format1(comparison.counted) : String(Int(comparison.counted))
            var countChange = arrow(comparison.countDifference) + " "
                + (comparison.kind == .average ? signed(comparison.countDifference) : signedInt(comparison.countDifference))
            if let percent = comparison.countChangePercent { countChange += " (\(signed(percent))%)" }
            var indexText = "–", indexChange = ""
            if let index = comparison.satisfactionIndex { indexText = format1(index) }
            if let difference = comparison.indexDifference {
                let text = arrow(difference) + " " + signed(difference)
                indexChange = difference > 0 ? terminal.green(text) : difference < 0 ? terminal.red(text) : text
            }
            rows.append([name, counted, countChange, indexText, indexChange])
        }
        return TextTable.render(rows, rightAligned: [1, 3], indent: 2)
    }

    static func bucketLines(_ summary: PeriodSummary, width: Int, terminal: Terminal) -> [String] {
        var buckets = summary.buckets
        var note: String?
        if summary.period.bucketUnit == .hour {
            // Hours before the first and after the last press are left out of the table.
            let first = buckets.firstIndex { $0.figures.counted > 0 || $0.figures.flagged > 0 }
            let last = buckets.lastIndex { $0.figures.counted > 0 || $0.figures.flagged > 0 }
            if let first, let last {
                buckets = Array(buckets[first...last])
            } else {
                return ["  No presses in any hour of this day."]
            }
            if summary.buckets.count != 24 {
                note = "This day has \(summary.buckets.count) hours (daylight saving)."
            }
        }
        let labelHeader = summary.period.bucketUnit == .hour ? "Hour" : "Day"
        let labels = buckets.map { bucket in
            summary.period.bucketUnit == .hour ? bucket.label : "\(bucket.day.weekdayName.prefix(3)) \(bucket.label)"
        }
        let labelWidth = max(labelHeader.count, labels.map(\.count).max() ?? 0)
        let maxCount = max(1, buckets.map(\.figures.counted).max() ?? 1)
        let countWidth = max(7, String(maxCount).count)
        let barWidth = max(8, width - (2 + labelWidth + 2 + countWidth + 2 + 5 + 2))
        var lines = ["  " + terminal.bold(labelHeader.padded(labelWidth) + "  " + "Presses".leftPadded(countWidth) + "  Index")]
        var suppressed = false
        for (bucket, label) in zip(buckets, labels) {
            let figures = bucket.figures
            let indexText: String
            if let index = figures.satisfactionIndex {
                indexText = colorForIndex(format1(index).leftPadded(5), index, terminal)
            } else if figures.counted > 0 {
                indexText = "    –"
                suppressed = true
            } else {
                indexText = "     "
            }
            let bar = BarChart.bar(value: Double(figures.counted), max: Double(maxCount), width: barWidth)
            let paintedBar = figures.satisfactionIndex.map { colorForIndex(bar, $0, terminal) } ?? terminal.dim(bar)
            lines.append("  \(label.padded(labelWidth))  \(String(figures.counted).leftPadded(countWidth))  \(indexText)  \(paintedBar)")
        }
        var highlights: [String] = []
        let hourWord = summary.period.bucketUnit == .hour ? "" : " (all days)"
        if let busiest = summary.busiestHour {
            highlights.append("Busiest hour\(hourWord): \(busiest.label), \(busiest.counted) presses")
        }
        if let worst = summary.worstHour, let index = worst.satisfactionIndex {
            highlights.append("worst hour: \(worst.label), index \(format1(index))")
        }
        if !highlights.isEmpty { lines.append("  " + highlights.joined(separator: " · ")) }
        var dayHighlights: [String] = []
        if let busiest = summary.busiestDay {
            dayHighlights.append("Busiest day: \(busiest.label), \(busiest.counted) presses")
        }
        if let worst = summary.worstDay, let index = worst.satisfactionIndex {
            dayHighlights.append("worst day: \(worst.label), index \(format1(index))")
        }
        if !dayHighlights.isEmpty { lines.append("  " + dayHighlights.joined(separator: " · ")) }
        if suppressed {
            lines.append("  " + terminal.dim("– fewer than \(summary.minSamples) presses: counts but no index (report.min-samples)"))
        }
        if let note { lines.append("  " + terminal.dim(note)) }
        return lines
    }

    // MARK: Helpers

    static func format1(_ value: Double) -> String { String(format: "%.1f", rounded(value)) }

    static func signed(_ value: Double) -> String {
        let r = rounded(value)
        return r > 0 ? "+" + format1(r) : r < 0 ? format1(r) : "±0.0"
    }

    static func signedInt(_ value: Double) -> String {
        let r = Int(value.rounded())
        return r > 0 ? "+\(r)" : r < 0 ? "\(r)" : "±0"
    }

    static func arrow(_ difference: Double) -> String {
        let r = rounded(difference)
        return r > 0 ? "↑" : r < 0 ? "↓" : "→"
    }

    /// Green from 70, yellow from 50, red below.
    static func colorForIndex(_ text: String, _ index: Double, _ terminal: Terminal) -> String {
        if index >= 70 { return terminal.green(text) }
        if index >= 50 { return terminal.yellow(text) }
        return terminal.red(text)
    }

    static func colorForButton(_ text: String, index: Int, scale: Int, _ terminal: Terminal) -> String {
        let value = Scale.value(ofButton: index, scale: scale)
        if value < 40 { return terminal.red(text) }
        if value < 60 { return terminal.yellow(text) }
        return terminal.green(text)
    }
}

import Foundation
import SmileyCore

/// The day summary as people and scripts read it. Pure: a summary in, text out.
public enum SummaryRendering {
    /// Stable JSON: `{"day":…,"timezone":…,"accepted":…,"misuse":{"interval":…,"simultaneous":…},
    /// "buttons":[{"index":…,"name":…,"count":…}],"satisfactionIndex":…}` plus `includeMisuse`,
    /// `counted` and `held`. The index is rounded to one decimal; null when nothing was counted.
    public static func json(_ summary: DaySummary) -> JSONValue {
        .object([
            ("day", .string(summary.day)),
            ("timezone", .string(summary.timezone)),
            ("accepted", .int(summary.accepted)),
            ("misuse", .object(MisuseReason.allCases.map { ($0.rawValue, .int(summary.misuse[$0] ?? 0)) })),
            ("buttons", .array(summary.buttons.map {
                .object([("index", .int($0.index)), ("name", .string($0.name)), ("count", .int($0.count))])
            })),
            ("satisfactionIndex", JSONValue(summary.satisfactionIndex.map(SatisfactionIndex.rounded))),
            ("includeMisuse", .bool(summary.includeMisuse)),
            ("counted", .int(summary.counted)),
            ("held", .int(summary.held)),
        ])
    }

    /// A small table for a terminal, with a bar per button.
    public static func table(_ summary: DaySummary, title: String, terminal: Terminal) -> String {
        var lines: [String] = []
        lines.append(terminal.bold(title))
        let nameWidth = max(6, summary.buttons.map(\.name.count).max() ?? 6)
        let maxCount = max(1, summary.buttons.map(\.count).max() ?? 1)
        let countWidth = max(5, String(maxCount).count)
        let barWidth = max(10, min(40, terminal.width - nameWidth - countWidth - 14))
        let total = max(1, summary.counted)
        for button in summary.buttons.reversed() {
            let share = Double(button.count) * 100 / Double(total)
            let bar = String(repeating: "█", count: Int((Double(button.count) / Double(maxCount) * Double(barWidth)).rounded()))
            let name = button.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let count = String(button.count).leftPadded(countWidth)
            let shareText = String(format: "%5.1f%%", summary.counted == 0 ? 0 : share)
            lines.append("  \(name) \(count) \(shareText) \(color(bar, index: button.index, scale: summary.buttons.count, terminal))")
        }
        let what = summary.includeMisuse ? "presses (flagged included)" : "accepted presses"
        if let index = summary.satisfactionIndex {
            lines.append("  Satisfaction index \(terminal.bold(String(format: "%.1f", SatisfactionIndex.rounded(index)))) / 100 from \(summary.counted) \(what)")
        } else {
            lines.append("  No \(what) — no satisfaction index")
        }
        let interval = summary.misuse[.interval] ?? 0
        let simultaneous = summary.misuse[.simultaneous] ?? 0
        let flagged = interval + simultaneous
        if flagged > 0 {
            let verb = summary.includeMisuse ? "included" : "left out"
            lines.append("  Flagged and \(verb): \(interval) too soon after another press, \(simultaneous) simultaneous")
        }
        if summary.held > 0 {
            lines.append("  " + terminal.yellow("Held down past the limit: \(summary.held) press(es) — check for a stuck button"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func color(_ bar: String, index: Int, scale: Int, _ terminal: Terminal) -> String {
        let value = Scale.value(ofButton: index, scale: scale)
        if value < 40 { return terminal.red(bar) }
        if value < 60 { return terminal.yellow(bar) }
        return terminal.green(bar)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

import Foundation
import SmileyCore

/// A period summary as one self-contained HTML page for a manager: inline CSS, inline SVG charts,
/// no script, no font, image or link fetched from anywhere. Pure: a summary in, a page out.
public enum HTMLReport {
    public struct Context: Sendable {
        public var site: String
        public var terminal: String
        /// `2026-11-22 21:05 Europe/Helsinki`.
        public var generated: String

        public init(site: String, terminal: String, generated: String) {
            self.site = site
            self.terminal = terminal
            self.generated = generated
        }
    }

    /// Colours the charts use; the browser test looks for them in the rendered page.
    public enum Palette {
        public static let good = "#2e9d5b"
        public static let fair = "#e0a100"
        public static let poor = "#d64545"
        public static let noIndex = "#aab2bf"

        /// Buttons from most negative to most positive.
        static let scale = ["#d64545", "#f08c4a", "#e8c33c", "#8cc152", "#2e9d5b"]

        static func forIndex(_ index: Double?) -> String {
            guard let index else { return noIndex }
            return index >= 70 ? good : index >= 50 ? fair : poor
        }

        static func forButton(_ index: Int, scale count: Int) -> String {
            let value = Scale.value(ofButton: index, scale: count) / 100
            return scale[Int((value * Double(scale.count - 1)).rounded())]
        }
    }

    public static func render(_ summary: PeriodSummary, context: Context) -> String {
        let total = summary.total
        let title = "\(context.site) · \(summary.period.title)"
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Smiley report · \(escape(title))</title>
            <style>\(css)</style>
            </head>
            <body>
            <main>
            <header>
            <h1>\(escape(summary.period.title.prefix(1).uppercased() + summary.period.title.dropFirst()))</h1>
            <p class="sub">\(escape(context.site)) · \(escape(summary.survey ?? "all surveys")) · terminal \(escape(context.terminal)) · \(escape(summary.timezone))</p>
            </header>

            """
        html += tiles(summary)
        html += section("Buttons", buttonChart(summary))
        let unit = summary.period.bucketUnit
        html += section(unit == .hour ? "Hour by hour" : "Day by day", bucketChart(summary) + highlights(summary))
        if unit == .day {
            html += section("Hours of the day (all days together)", profileChart(summary))
        }
        if !summary.comparisons.isEmpty {
            html += section("Compared with earlier", comparisonTable(summary))
        }
        html += section(unit == .hour ? "Hours" : "Days", bucketTable(summary))
        var notes = ["Satisfaction index: the mean of the presses with the buttons mapped evenly onto 0–100. "
            + "Top-2: share of the two most positive buttons. Net: % positive − % negative."]
        notes.append("An hour or day with fewer than \(summary.minSamples) presses shows its counts but no index.")
        notes.append(total.includeMisuse
            ? "Flagged presses (too soon after another, or two buttons at once) are included."
            : "Flagged presses (too soon after another, or two buttons at once) are left out: \(total.flagged).")
        html += """
            <footer>\(notes.map { "<p>\(escape($0))</p>" }.joined())
            <p>Generated \(escape(context.generated)) by smileyctl.</p></footer>
            </main>
            </body>
            </html>

            """
        return html
    }

    // MARK: Parts

    static func tiles(_ summary: PeriodSummary) -> String {
        let total = summary.total
        var tiles: [(String, String, String)] = []  // label, value, note
        if let index = total.satisfactionIndex {
            tiles.append(("Satisfaction index", format1(index), "of 100"))
        } else {
            tiles.append(("Satisfaction index", "–", total.counted == 0 ? "no presses" : "fewer than \(summary.minSamples) presses"))
        }
        tiles.append(("Presses", "\(total.counted)", total.includeMisuse ? "flagged included" : "accepted"))
        tiles.append(("Top-2 share", total.top2Share.map { format1($0) + "%" } ?? "–", "two happiest buttons"))
        tiles.append(("Net score", total.netScore.map { SummaryRendering.signed($0) } ?? "–", "% positive − % negative"))
        var flaggedNote = "\(total.misuse[.interval] ?? 0) too soon, \(total.misuse[.simultaneous] ?? 0) simultaneous"
        if total.held > 0 { flaggedNote += ", \(total.held) held" }
        tiles.append(("Flagged", "\(total.flagged)", flaggedNote))
        var html = "<div class=\"tiles\">\n"
        for (index, tile) in tiles.enumerated() {
            var style = ""
            if index == 0, let value = total.satisfactionIndex { style = " style=\"border-top-color:\(Palette.forIndex(value))\"" }
            html += "<div class=\"tile\"\(style)><div class=\"k\">\(escape(tile.0))</div><div class=\"v\">\(escape(tile.1))</div>"
                + "<div class=\"n\">\(escape(tile.2))</div></div>\n"
        }
        return html + "</div>\n"
    }

    static func buttonChart(_ summary: PeriodSummary) -> String {
        let total = summary.total
        let names = summary.buttonNames
        let rowHeight = 34, labelWidth = 150, width = 880, barSpace = width - labelWidth - 130
        let height = rowHeight * names.count + 8
        let maxCount = max(1, total.counts.max() ?? 1)
        var svg = "<svg id=\"chart-buttons\" role=\"img\" aria-label=\"Presses per button\" viewBox=\"0 0 \(width) \(height)\" "
            + "width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        for (row, index) in names.indices.reversed().enumerated() {
            let count = total.counts[safe: index] ?? 0
            let y = 4 + row * rowHeight
            let barWidth = count == 0 ? 0 : max(2, Int(Double(count) / Double(maxCount) * Double(barSpace)))
            svg += "<text x=\"\(labelWidth - 10)\" y=\"\(y + 21)\" text-anchor=\"end\" class=\"lbl\">\(escape(names[index]))</text>"
            svg += "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(barWidth)\" height=\"\(rowHeight - 10)\" rx=\"3\" "
                + "fill=\"\(Palette.forButton(index, scale: names.count))\" data-count=\"\(count)\"/>"
            svg += "<text x=\"\(labelWidth + barWidth + 8)\" y=\"\(y + 21)\" class=\"val\">\(count) · \(format1(total.shares[safe: index] ?? 0))%</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Columns per hour or day: height = presses, colour = index (grey: too few for an index).
    static func bucketChart(_ summary: PeriodSummary) -> String {
        let items = summary.buckets.map { bucket -> (label: String, figures: Figures) in
            let label = bucket.unit == .hour ? String(format: "%02d", bucket.slot?.hourOfDay ?? 0)
                : summary.period.kind == .week ? "\(bucket.day.weekdayName.prefix(3)) \(bucket.day.day)"
                : String(format: "%d", bucket.day.day)
            return (label, bucket.figures)
        }
        return columnChart(id: "chart-buckets", items: items, caption: summary.period.bucketUnit == .hour ? "hour" : "day")
    }

    static func profileChart(_ summary: PeriodSummary) -> String {
        columnChart(id: "chart-hours", items: summary.hourProfile.map { (String(format: "%02d", $0.hourOfDay), $0.figures) },
                    caption: "hour")
    }

    static func columnChart(id: String, items: [(label: String, figures: Figures)], caption: String) -> String {
        let width = 880, height = 260, left = 44, bottom = 28, top = 12
        let plotWidth = width - left - 8, plotHeight = height - bottom - top
        let maxCount = max(1, items.map(\.figures.counted).max() ?? 1)
        let step = niceStep(maxCount)
        let axisMax = ((maxCount + step - 1) / step) * step
        let slot = Double(plotWidth) / Double(max(1, items.count))
        var svg = "<svg id=\"\(id)\" role=\"img\" aria-label=\"Presses per \(caption)\" viewBox=\"0 0 \(width) \(height)\" "
            + "width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        var tick = 0
        while tick <= axisMax {
            let y = top + plotHeight - Int(Double(tick) / Double(axisMax) * Double(plotHeight))
            svg += "<line x1=\"\(left)\" x2=\"\(width - 8)\" y1=\"\(y)\" y2=\"\(y)\" class=\"grid\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\" class=\"axis\">\(tick)</text>\n"
            tick += step
        }
        let labelEvery = items.count > 24 ? 2 : 1
        for (position, item) in items.enumerated() {
            let count = item.figures.counted
            let barHeight = count == 0 ? 0 : max(2, Int(Double(count) / Double(axisMax) * Double(plotHeight)))
            let x = Double(left) + Double(position) * slot + slot * 0.15
            let title = "\(item.label): \(count) presses" + (item.figures.satisfactionIndex.map { ", index \(format1($0))" } ?? "")
            svg += "<rect class=\"bar\" x=\"\(format1(x))\" y=\"\(top + plotHeight - barHeight)\" width=\"\(format1(slot * 0.7))\" "
                + "height=\"\(barHeight)\" fill=\"\(Palette.forIndex(item.figures.satisfactionIndex))\" data-count=\"\(count)\">"
                + "<title>\(escape(title))</title></rect>"
            if position % labelEvery == 0 {
                svg += "<text x=\"\(format1(x + slot * 0.35))\" y=\"\(height - 10)\" text-anchor=\"middle\" class=\"axis\">\(escape(item.label))</text>"
            }
            svg += "\n"
        }
        svg += "</svg>\n"
        svg += "<p class=\"legend\"><span style=\"background:\(Palette.good)\"></span>index 70+ "
            + "<span style=\"background:\(Palette.fair)\"></span>50–70 <span style=\"background:\(Palette.poor)\"></span>below 50 "
            + "<span style=\"background:\(Palette.noIndex)\"></span>too few presses for an index</p>\n"
        return svg
    }

    static func niceStep(_ maximum: Int) -> Int {
        let rough = max(1, maximum / 5)
        var magnitude = 1
        while magnitude * 10 <= rough { magnitude *= 10 }
        for factor in [1, 2, 5, 10] where magnitude * factor >= rough { return magnitude * factor }
        return magnitude * 10
    }

    static func highlights(_ summary: PeriodSummary) -> String {
        var items: [String] = [], days: [String] = []
        if let busiest = summary.busiestHour { items.append("Busiest hour: <b>\(escape(busiest.label))</b>, \(busiest.counted) presses") }
        if let worst = summary.worstHour, let index = worst.satisfactionIndex {
            items.append("Worst hour: <b>\(escape(worst.label))</b>, index \(format1(index))")
        }
        if let busiest = summary.busiestDay { days.append("Busiest day: <b>\(escape(busiest.label))</b>, \(busiest.counted) presses") }
        if let worst = summary.worstDay, let index = worst.satisfactionIndex {
            days.append("Worst day: <b>\(escape(worst.label))</b>, index \(format1(index))")
        }
        return [items, days].filter { !$0.isEmpty }.map { "<p class=\"hl\">" + $0.joined(separator: " · ") + "</p>\n" }.joined()
    }

    static func comparisonTable(_ summary: PeriodSummary) -> String {
        var html = "<table><thead><tr><th class=\"l\">Compared with</th><th>Presses</th><th>Change</th><th>Index</th><th>Change</th></tr></thead><tbody>\n"
        for comparison in summary.comparisons {
            var name = comparison.name
            if comparison.kind == .previous, let period = comparison.periods.first { name += " (\(period.label))" }
            let counted = comparison.kind == .average ? format1(comparison.counted) : String(Int(comparison.counted))
            var change = SummaryRendering.arrow(comparison.countDifference) + " "
                + (comparison.kind == .average ? SummaryRendering.signed(comparison.countDifference)
                    : SummaryRendering.signedInt(comparison.countDifference))
            if let percent = comparison.countChangePercent { change += " (\(SummaryRendering.signed(percent))%)" }
            var indexChange = ""
            if let difference = comparison.indexDifference {
                let cls = difference > 0 ? "up" : difference < 0 ? "down" : ""
                indexChange = "<span class=\"\(cls)\">\(SummaryRendering.arrow(difference)) \(SummaryRendering.signed(difference))</span>"
            }
            html += "<tr><td class=\"l\">\(escape(name))</td><td>\(counted)</td><td>\(escape(change))</td>"
                + "<td>\(comparison.satisfactionIndex.map(format1) ?? "–")</td><td>\(indexChange)</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    static func bucketTable(_ summary: PeriodSummary) -> String {
        let names = summary.buttonNames
        var html = "<table><thead><tr><th class=\"l\">\(summary.period.bucketUnit == .hour ? "Hour" : "Day")</th><th>Presses</th><th>Index</th>"
        html += names.reversed().map { "<th>\(escape($0))</th>" }.joined() + "<th>Flagged</th></tr></thead><tbody>\n"
        for bucket in summary.buckets where bucket.figures.counted > 0 || bucket.figures.flagged > 0 || bucket.unit == .day {
            let figures = bucket.figures
            let label = bucket.unit == .hour ? bucket.label : "\(bucket.day.weekdayName.prefix(3)) \(bucket.label)"
            let index = figures.satisfactionIndex.map(format1) ?? (figures.counted > 0 ? "–" : "")
            html += "<tr><td class=\"l\">\(escape(label))</td><td>\(figures.counted)</td><td>\(index)</td>"
            html += names.indices.reversed().map { "<td>\(figures.counts[safe: $0] ?? 0)</td>" }.joined()
            html += "<td>\(figures.flagged)</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    static func section(_ title: String, _ body: String) -> String {
        "<section><h2>\(escape(title))</h2>\n\(body)</section>\n"
    }

    static func format1(_ value: Double) -> String { SummaryRendering.format1(value) }

    /// Text for HTML element content and attribute values.
    static func escape<S: StringProtocol>(_ text: S) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static let css = """
        body{margin:0;background:#f3f4f7;color:#1d2330;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif}
        main{max-width:920px;margin:0 auto;padding:24px 20px 40px}
        h1{font-size:26px;margin:0 0 2px}h2{font-size:17px;margin:0 0 10px}
        .sub{color:#5b6475;margin:0}
        .tiles{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin:20px 0}
        .tile{background:#fff;border-radius:10px;padding:12px 14px;border-top:4px solid #d5d9e0;box-shadow:0 1px 2px rgba(0,0,0,.07)}
        .tile .k{font-size:12px;color:#5b6475;text-transform:uppercase;letter-spacing:.04em}
        .tile .v{font-size:30px;font-weight:700;margin:2px 0}.tile .n{font-size:12px;color:#5b6475}
        section{background:#fff;border-radius:10px;padding:16px 18px;margin:14px 0;box-shadow:0 1px 2px rgba(0,0,0,.07)}
        svg{display:block;max-width:100%;height:auto}
        svg .lbl,svg .val{font-size:14px;fill:#1d2330}svg .axis{font-size:11px;fill:#5b6475}svg .grid{stroke:#e6e8ec;stroke-width:1}
        .legend{font-size:12px;color:#5b6475;margin:6px 0 0}.legend span{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}
        .hl{margin:10px 0 0}
        table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
        th,td{padding:4px 8px;text-align:right;border-bottom:1px solid #eceef2}th{font-size:12px;color:#5b6475;font-weight:600}
        .l{text-align:left}.up{color:#1a7f37}.down{color:#c62828}
        footer{font-size:12px;color:#5b6475;margin-top:18px}footer p{margin:2px 0}
        @media print{body{background:#fff}section,.tile{box-shadow:none;border:1px solid #e0e3e8}}
        """
}

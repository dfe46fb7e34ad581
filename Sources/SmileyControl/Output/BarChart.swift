import Foundation
import SmileyCore

/// Horizontal bars of Unicode blocks, in eighths of a character.
enum BarChart {
    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// A bar `value / max` of `width` characters; at least a sliver for any value above 0.
    static func bar(value: Double, max maximum: Double, width: Int) -> String {
        guard value > 0, maximum > 0, width > 0 else { return "" }
        var units = Int((value / maximum * Double(width * 8)).rounded())
        units = Swift.max(1, Swift.min(units, width * 8))
        return String(repeating: "█", count: units / 8) + eighths[units % 8]
    }
}

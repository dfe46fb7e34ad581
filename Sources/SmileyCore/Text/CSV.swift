import Foundation

/// RFC 4180 fields: quoted when they hold a comma, a quote, or a line break. smileyctl's exports
/// and the collector's read API write CSV through it.
public enum CSV {
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }

    /// Free text (names from the configuration) made inert for spreadsheets: a value starting with
    /// `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula, so it gets a
    /// leading `'` (OWASP's advice for CSV injection). Numbers and timestamps are not passed here.
    public static func text(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }
}

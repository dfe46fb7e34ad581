import Foundation

/// The README's configuration key table, generated from ``ConfigSchema`` (a test checks that the
/// README holds exactly this).
public enum ConfigReference {
    /// The README marks the table with these lines.
    public static let startMarker = "<!-- config-keys: generated from Sources/SmileyConfig/ConfigSchema.swift "
        + "(ConfigReference.markdownTable); a test checks it -->"
    public static let endMarker = "<!-- end of config-keys -->"

    /// Every key as the reference names it (`terminal`, `press.debounce-ms`, `buttons[].name`), in order.
    public static var keyPaths: [String] { rows.map(\.keyPath) }

    /// A Markdown table: key, default, allowed values, what it is for.
    public static var markdownTable: String {
        var lines = ["| key | default | allowed | what for |", "|---|---|---|---|"]
        for row in rows {
            let cells = ["`\(row.keyPath)`", row.key.defaultValue, row.key.allowed, row.key.help]
            lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each top-level key followed by the keys of its own table.
    static var rows: [(keyPath: String, key: ConfigKey)] {
        var rows: [(keyPath: String, key: ConfigKey)] = []
        for key in ConfigSchema.top {
            rows.append((key.name, key))
            if let table = ConfigSchema.nested.first(where: { $0.parent == key }) {
                rows += table.keys.map { (table.prefix + $0.name, $0) }
            }
        }
        return rows
    }
}

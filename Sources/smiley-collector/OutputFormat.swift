import ArgumentParser
import Foundation

/// How the `site` and `token` subcommands print: tab-separated text with a header line (stable
/// columns, for `cut` and `awk`), or JSON.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json

    /// Writes `rows` under `header` (text) or `value` (JSON) to standard output.
    func print(header: [String], rows: [[String]], json value: some Encodable) throws {
        switch self {
        case .text:
            let lines = ([header] + rows).map { $0.joined(separator: "\t") + "\n" }.joined()
            FileHandle.standardOutput.write(Data(lines.utf8))
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
        }
    }
}

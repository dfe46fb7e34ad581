import Foundation
import SmileyConfig
import Testing

/// The key table in the README is generated from the keys' declarations, and the declarations are
/// the keys the decoder and `--check-config` know.
@Suite struct ConfigReferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A configuration with every optional key given, so every key renders.
    static let everyKey = fullExample + """
        ack-line: GPIO26
        misuse-line: GPIO16
        report:
          min-samples: 5
        upstream:
          url: https://c.example
          token-file: t
          ca-file: ca.pem
        retention-days: 30

        """

    @Test func theReadmeHoldsTheGeneratedTable() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: ConfigReference.startMarker + "\n"), "no start marker in README.md")
        let end = try #require(readme.range(of: ConfigReference.endMarker, range: start.upperBound..<readme.endIndex),
                               "no end marker in README.md")
        let table = String(readme[start.upperBound..<end.lowerBound])
        #expect(table == ConfigReference.markdownTable, "paste ConfigReference.markdownTable into README.md:\n\(ConfigReference.markdownTable)")
    }

    @Test func everyDeclaredKeyIsRenderedAndReadBack() throws {
        let config = try parse(Self.everyKey)
        let text = config.rendered()
        for keyPath in ConfigReference.keyPaths {
            let name = keyPath.split(separator: ".").last.map(String.init) ?? keyPath
            #expect(text.contains("\(name):"), "\(keyPath) is not rendered:\n\(text)")
        }
        #expect(try parse(text) == config)
    }

    @Test func renderedKeysAreExactlyTheDeclaredOnes() throws {
        let text = try parse(Self.everyKey).rendered()
        var rendered: [String] = []
        var parent = ""
        for line in text.split(separator: "\n") {
            let indented = line.hasPrefix(" ")
            let stripped = line.drop { $0 == " " || $0 == "-" }
            guard let colon = stripped.firstIndex(of: ":") else { continue }
            let name = String(stripped[..<colon])
            if !indented {
                parent = name
                rendered.append(name)
            } else {
                let path = parent == "buttons" ? "buttons[].\(name)" : "\(parent).\(name)"
                if !rendered.contains(path) { rendered.append(path) }
            }
        }
        #expect(rendered == ConfigReference.keyPaths)
    }

    @Test func theTableGivesEveryIntegersDefaultAndRange() {
        let table = ConfigReference.markdownTable
        for row in [
            "| `press.debounce-ms` | 30 | 0–1000 milliseconds (0 = edges are already clean) |",
            "| `press.held-ms` | 3000 | 100–3600000 milliseconds |",
            "| `upstream.batch-size` | 500 | 1–5000 samples |",
            "| `upstream.heartbeat-seconds` | 900 | 0–86400 seconds (0 = no heartbeat) |",
            "| `retention-days` | 400 | 1–36500 days |",
            "| `report.keep-days` | 90 | 1–36500 days |",
        ] {
            #expect(table.contains(row), "\(row)")
        }
    }

    @Test func defaultsInTheTableAreTheDecodedDefaults() throws {
        let text = try parse(twoButtons + "upstream:\n  url: https://c.example\n  token-file: t\n").rendered()
        let table = ConfigReference.markdownTable
        for line in text.split(separator: "\n") where line.hasPrefix("  ") && !line.hasPrefix("  -") {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            guard Int(value) != nil else { continue }
            // Every number a default configuration renders is the default its row gives.
            #expect(table.contains(".\(parts[0])` | \(value) |"), "\(line)")
        }
    }
}

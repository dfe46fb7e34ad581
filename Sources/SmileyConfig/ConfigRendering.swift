import Foundation
import Yams

extension Configuration {
    /// The effective configuration, defaults filled in, as YAML with the file's key names (what
    /// `smileyd --check-config` prints). Paths are absolute, as resolved. Parsing the result again
    /// gives an equal ``Configuration``.
    public func rendered() -> String {
        var lines = [
            "terminal: \(yamlScalar(terminal))",
            "site: \(yamlScalar(site))",
            "survey: \(yamlScalar(survey))",
            "timezone: \(yamlScalar(zone.identifier))",
            "database: \(yamlScalar(database))",
            "runtime-directory: \(yamlScalar(runtimeDirectory))",
            "input: \(input.rawValue)",
        ]
        if let replay {
            lines.append("replay:")
            if !replay.file.isEmpty {
                lines.append("  file: \(yamlScalar(replay.file))")
            }
            lines.append("  speed: \(replay.speed.map { "\($0)" } ?? "max")")
        }
        lines.append("buttons:")
        for button in buttons {
            lines.append("  - name: \(yamlScalar(button.name))")
            if let line = button.line {
                lines.append("    line: \(yamlScalar(line.description))")
            }
            lines.append("    active-low: \(button.activeLow)")
            lines.append("    bias: \(button.bias.rawValue)")
        }
        if let ackLine {
            lines.append("ack-line: \(yamlScalar(ackLine.description))")
        }
        if let misuseLine {
            lines.append("misuse-line: \(yamlScalar(misuseLine.description))")
        }
        lines.append("press:")
        lines.append("  debounce-ms: \(press.debounceMs)")
        lines.append("  response-interval-ms: \(press.responseIntervalMs)")
        lines.append("  simultaneous-ms: \(press.simultaneousMs)")
        lines.append("  held-ms: \(press.heldMs)")
        lines.append("report:")
        lines.append("  min-samples: \(report.minSamples)")
        lines.append("  directory: \(yamlScalar(report.directory))")
        lines.append("  keep-days: \(report.keepDays)")
        lines.append("  closing-time: \(yamlDoubleQuoted(report.closingTime.description))")
        if let upstream {
            lines.append("upstream:")
            lines.append("  url: \(yamlScalar(upstream.url))")
            lines.append("  token-file: \(yamlScalar(upstream.tokenFile))")
            if let caFile = upstream.caFile {
                lines.append("  ca-file: \(yamlScalar(caFile))")
            }
            lines.append("  batch-size: \(upstream.batchSize)")
            lines.append("  coalesce-ms: \(upstream.coalesceMs)")
            lines.append("  interval-seconds: \(upstream.intervalSeconds)")
            lines.append("  connect-timeout-ms: \(upstream.connectTimeoutMs)")
            lines.append("  request-timeout-ms: \(upstream.requestTimeoutMs)")
            lines.append("  retry-initial-ms: \(upstream.retryInitialMs)")
            lines.append("  retry-max-ms: \(upstream.retryMaxMs)")
            lines.append("  heartbeat-seconds: \(upstream.heartbeatSeconds)")
            lines.append("  gzip: \(upstream.gzip)")
        }
        lines.append("retention-days: \(retentionDays)")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `text` as a YAML scalar that reads back as the same string: plain when that is unambiguous,
/// else double-quoted.
func yamlScalar(_ text: String) -> String {
    isSafePlainScalar(text) ? text : yamlDoubleQuoted(text)
}

private func isSafePlainScalar(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
    let punctuation: Set<Unicode.Scalar> = ["-", "_", ".", "/", ":", "+", "@"]
    for scalar in text.unicodeScalars {
        let isAlphanumeric = scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
        guard isAlphanumeric || punctuation.contains(scalar) else { return false }
    }
    // Indicators that may not start a plain scalar, and a trailing colon that would make a key.
    guard !["-", ":", "@"].contains(first), last != ":" else { return false }
    // Must read back as a string, not a number, bool, null or timestamp.
    return Resolver.default.resolveTag(of: Node(text)) == .str
}

func yamlDoubleQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            let value = scalar.value
            let printable = (0x20...0x7E).contains(value) || (0xA0...0xD7FF).contains(value)
                || (0xE000...0xFFFD).contains(value) && value != 0xFEFF || value >= 0x10000
            if printable {
                result.unicodeScalars.append(scalar)
            } else if value <= 0xFFFF {
                result += "\\u" + String(format: "%04X", value)
            } else {
                result += "\\U" + String(format: "%08X", value)
            }
        }
    }
    return result + "\""
}

import Foundation
import SmileyCore
import Yams

extension Configuration {
    /// The effective configuration, defaults filled in, as YAML with the file's key names (what
    /// `smileyd --check-config` prints), keys in the order ``ConfigSchema`` declares them. Paths
    /// are absolute, as resolved. Parsing the result again gives an equal ``Configuration``.
    public func rendered() -> String {
        var lines: [String] = []
        for key in ConfigSchema.top {
            switch topValue(key) {
            case nil:
                continue
            case .scalar(let text)?:
                lines.append("\(key.name): \(text)")
            case .block(let block)?:
                lines.append("\(key.name):")
                lines += block
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A rendered value: on the key's line, or as the indented lines below it.
    enum RenderedValue {
        case scalar(String)
        case block([String])
    }

    /// The value of a top-level key; nil when it is absent.
    func topValue(_ key: ConfigKey) -> RenderedValue? {
        typealias S = ConfigSchema
        switch key {
        case S.terminal: return .scalar(yamlScalar(terminal))
        case S.site: return .scalar(yamlScalar(site))
        case S.survey: return .scalar(yamlScalar(survey))
        case S.timezone: return .scalar(yamlScalar(zone.identifier))
        case S.database: return .scalar(yamlScalar(database))
        case S.runtimeDirectory: return .scalar(yamlScalar(runtimeDirectory))
        case S.input: return .scalar(input.rawValue)
        case S.replay:
            guard let replay else { return nil }
            return .block(Self.section(S.replaySection) { replay.renderedValue($0) })
        case S.buttons:
            // Each button is a list entry: its first key after "- ", the others below it.
            var lines: [String] = []
            for button in buttons {
                for (index, line) in Self.section(S.button, { button.renderedValue($0) }).enumerated() {
                    lines.append((index == 0 ? "  - " : "    ") + String(line.dropFirst(2)))
                }
            }
            return .block(lines)
        case S.ackLine: return ackLine.map { .scalar(yamlScalar($0.description)) }
        case S.misuseLine: return misuseLine.map { .scalar(yamlScalar($0.description)) }
        case S.press: return .block(Self.section(S.pressSection) { press.renderedValue($0) })
        case S.report: return .block(Self.section(S.reportSection) { report.renderedValue($0) })
        case S.upstream:
            guard let upstream else { return nil }
            return .block(Self.section(S.upstreamSection) { upstream.renderedValue($0) })
        case S.retentionDays: return .scalar("\(retentionDays)")
        default: return nil
        }
    }

    /// `keys` as indented `name: value` lines, in the table's order, absent values left out.
    static func section(_ keys: [ConfigKey], _ value: (ConfigKey) -> String?) -> [String] {
        keys.compactMap { key in value(key).map { "  \(key.name): \($0)" } }
    }
}

extension ReplaySettings {
    /// The rendered value of a `replay:` key; nil when absent.
    func renderedValue(_ key: ConfigKey) -> String? {
        switch key {
        case ConfigSchema.replayFile: file.isEmpty ? nil : yamlScalar(file)
        case ConfigSchema.replaySpeed: speed.map { "\($0)" } ?? "max"
        default: nil
        }
    }
}

extension ButtonConfig {
    /// The rendered value of a button's key; nil when absent.
    func renderedValue(_ key: ConfigKey) -> String? {
        switch key {
        case ConfigSchema.buttonName: yamlScalar(name)
        case ConfigSchema.buttonLine: line.map { yamlScalar($0.description) }
        case ConfigSchema.buttonActiveLow: "\(activeLow)"
        case ConfigSchema.buttonBias: bias.rawValue
        default: nil
        }
    }
}

extension PressRules {
    /// The rendered value of a `press:` key.
    func renderedValue(_ key: ConfigKey) -> String? {
        switch key {
        case ConfigSchema.debounceMs: "\(debounceMs)"
        case ConfigSchema.responseIntervalMs: "\(responseIntervalMs)"
        case ConfigSchema.simultaneousMs: "\(simultaneousMs)"
        case ConfigSchema.heldMs: "\(heldMs)"
        default: nil
        }
    }
}

extension ReportSettings {
    /// The rendered value of a `report:` key.
    func renderedValue(_ key: ConfigKey) -> String? {
        switch key {
        case ConfigSchema.minSamples: "\(minSamples)"
        case ConfigSchema.reportDirectory: yamlScalar(directory)
        case ConfigSchema.keepDays: "\(keepDays)"
        case ConfigSchema.closingTime: yamlDoubleQuoted(closingTime.description)
        default: nil
        }
    }
}

extension UpstreamSettings {
    /// The rendered value of an `upstream:` key; nil when absent.
    func renderedValue(_ key: ConfigKey) -> String? {
        switch key {
        case ConfigSchema.url: yamlScalar(url)
        case ConfigSchema.tokenFile: yamlScalar(tokenFile)
        case ConfigSchema.caFile: caFile.map(yamlScalar)
        case ConfigSchema.batchSize: "\(batchSize)"
        case ConfigSchema.coalesceMs: "\(coalesceMs)"
        case ConfigSchema.intervalSeconds: "\(intervalSeconds)"
        case ConfigSchema.connectTimeoutMs: "\(connectTimeoutMs)"
        case ConfigSchema.requestTimeoutMs: "\(requestTimeoutMs)"
        case ConfigSchema.retryInitialMs: "\(retryInitialMs)"
        case ConfigSchema.retryMaxMs: "\(retryMaxMs)"
        case ConfigSchema.heartbeatSeconds: "\(heartbeatSeconds)"
        case ConfigSchema.gzip: "\(gzip)"
        default: nil
        }
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

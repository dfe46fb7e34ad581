/// One key of `smiley.yaml`, declared once: its name, what it accepts, its default and a line of
/// help. Decoding reads numbers' ranges from it, `--check-config` renders keys in the order the
/// tables in ``ConfigSchema`` list them, and the README's key table is generated from it.
public struct ConfigKey: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A whole number within `range`; `note` explains special values, e.g. "0 = off".
        case integer(ClosedRange<Int>, unit: String, note: String? = nil)
        /// Anything else; `allowed` says what, as the reference shows it.
        case value(allowed: String)
        /// A mapping of its own keys (listed in their own table).
        case section
    }

    public let name: String
    public let kind: Kind
    /// The default as the reference shows it (`30`, `the terminal id`, `— (required)`).
    public let defaultValue: String
    /// What the key is for, in a line.
    public let help: String

    /// The range of an integer key; nil for other kinds.
    public var range: ClosedRange<Int>? {
        if case .integer(let range, _, _) = kind { return range }
        return nil
    }

    /// What the reference's "allowed" column says.
    public var allowed: String {
        switch kind {
        case .integer(let range, let unit, let note):
            return "\(range.lowerBound)–\(range.upperBound)" + (unit.isEmpty ? "" : " \(unit)")
                + (note.map { " (\($0))" } ?? "")
        case .value(let allowed):
            return allowed
        case .section:
            return "a mapping of the keys below"
        }
    }

    public static func integer(_ name: String, _ range: ClosedRange<Int>, _ unit: String, note: String? = nil,
                        default value: Int, help: String) -> ConfigKey {
        ConfigKey(name: name, kind: .integer(range, unit: unit, note: note), defaultValue: "\(value)", help: help)
    }

    public static func value(_ name: String, allowed: String, default value: String, help: String) -> ConfigKey {
        ConfigKey(name: name, kind: .value(allowed: allowed), defaultValue: value, help: help)
    }

    public static func section(_ name: String, default value: String = "—", help: String) -> ConfigKey {
        ConfigKey(name: name, kind: .section, defaultValue: value, help: help)
    }
}

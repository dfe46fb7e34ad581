import Foundation
import Yams

/// What the decoder needs besides the YAML: where the file is (for messages and for resolving
/// relative paths), the defaults that come from the environment, and the problems found so far.
struct DecodingContext {
    /// The configuration file as named; appears in every error.
    let path: String
    /// Absolute, normalized folder of the configuration file; relative paths resolve against it.
    let directory: String
    let environment: [String: String]
    let hostName: String
    let requireReplayFile: Bool
    let log: DiagnosticLog
    /// The file's sections, for hints such as "debounce-ms belongs in press:" (smiley.yaml's).
    var sections: [(name: String, keys: [ConfigKey])] = ConfigSchema.sections

    func diagnostic(_ keyPath: String, at node: Node?, _ message: String) -> ConfigDiagnostic {
        ConfigDiagnostic(path: path, line: node?.mark?.line, column: node?.mark?.column, keyPath: keyPath,
                         message: message)
    }

    /// Records a problem at `node` and lets decoding go on.
    func report(_ keyPath: String, at node: Node?, _ message: String) throws(ConfigError) {
        try log.record(diagnostic(keyPath, at: node, message))
    }
}

/// One YAML mapping of the configuration. Creating it records a problem for anything but a
/// mapping and for any key outside `allowed` (with a "did you mean" suggestion, the key then
/// skipped); its accessors return typed values, or record a problem located at the offending node
/// and return nil (so the caller goes on with the default). They throw only when too many
/// problems were found. YAML null (`site:` with nothing after it) reads as absent.
public struct SectionReader {
    /// `""` for the top level, else e.g. `press` or `buttons[1]`.
    let keyPath: String
    /// The mapping node itself (its mark locates "required key missing" errors).
    let node: Node
    let context: DecodingContext
    private let entries: [String: Node]

    /// Nil, with the problem recorded, when `node` is not a mapping.
    init?(_ node: Node, keyPath: String, keys: [ConfigKey], context: DecodingContext) throws(ConfigError) {
        let allowed = keys.map(\.name)
        self.keyPath = keyPath
        self.node = node
        self.context = context
        guard case .mapping(let mapping) = node else {
            let what = keyPath.isEmpty ? "the top level must be a mapping" : "expected a mapping"
            try context.report(keyPath, at: node,
                               "\(what) with keys \(allowed.joined(separator: ", ")); got \(describe(node))")
            return nil
        }
        var entries: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                try context.report(keyPath, at: keyNode,
                                   "a key must be a plain name, got \(describe(keyNode)); allowed keys here: "
                                       + allowed.joined(separator: ", "))
                continue
            }
            let key = scalar.string
            let childPath = keyPath.isEmpty ? key : "\(keyPath).\(key)"
            guard allowed.contains(key) else {
                try context.report(childPath, at: keyNode, unknownKeyMessage(key, allowed: allowed, sections: context.sections))
                continue
            }
            entries[key] = value
        }
        self.entries = entries
    }

    func path(_ key: ConfigKey) -> String { keyPath.isEmpty ? key.name : "\(keyPath).\(key.name)" }

    /// The value of `key`, or nil when absent or null.
    public func value(_ key: ConfigKey) -> Node? {
        guard let node = entries[key.name], !isNull(node) else { return nil }
        return node
    }

    /// Whether a problem was recorded for `key` (its value was given but refused).
    public func failed(_ key: ConfigKey) -> Bool { context.log.hasFailed(path(key)) }

    /// Records a "required" problem for `key`, located at this section.
    public func reportMissing(_ key: ConfigKey, _ message: String) throws(ConfigError) {
        try context.report(path(key), at: node, message)
    }

    /// Records a problem with the value of `key`.
    public func report(_ key: ConfigKey, at node: Node, _ message: String) throws(ConfigError) {
        try context.report(path(key), at: node, message)
    }

    /// Records a problem with the value of `key` and returns nil (the value is refused).
    public func reject<T>(_ key: ConfigKey, at node: Node, _ message: String) throws(ConfigError) -> T? {
        try report(key, at: node, message)
        return nil
    }

    // MARK: Typed values

    /// The text of a scalar (plain or quoted); a mapping or list is refused.
    public func scalar(_ key: ConfigKey, expected: String) throws(ConfigError) -> (text: String, node: Node)? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node else {
            return try reject(key, at: node, "expected \(expected), got \(describe(node))")
        }
        return (scalar.string, node)
    }

    /// An id such as `terminal`: not blank, no control characters, at most 64 characters.
    func identifier(_ key: ConfigKey) throws(ConfigError) -> String? {
        guard case let (text, node)? = try scalar(key, expected: "a text value") else { return nil }
        if let problem = identifierProblem(text) {
            return try reject(key, at: node, problem)
        }
        return text
    }

    /// A file system path; relative paths resolve against the configuration file's folder.
    func filePath(_ key: ConfigKey, what: String) throws(ConfigError) -> String? {
        guard case let (text, node)? = try scalar(key, expected: what) else { return nil }
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            return try reject(key, at: node, "must not be empty; expected \(what)")
        }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return try reject(key, at: node, "\(quoted(text)) contains a control character; expected \(what)")
        }
        if text.hasPrefix("~") {
            return try reject(key, at: node,
                              "\(quoted(text)): ~ is not expanded; write the full path, or a path relative to the "
                                  + "configuration file's folder (\(context.directory))")
        }
        return resolvePath(text, against: context.directory)
    }

    /// A whole number within the declared range of `key` (an integer key).
    func integer(_ key: ConfigKey) throws(ConfigError) -> Int? {
        guard case .integer(let range, let unit, let note) = key.kind else { return nil }
        return try integer(key, in: range, unit: unit, note: note)
    }

    /// A whole decimal number within `range`; `note` explains special values, e.g. "0 = off".
    private func integer(_ key: ConfigKey, in range: ClosedRange<Int>, unit: String, note: String? = nil)
        throws(ConfigError) -> Int?
    {
        guard let node = value(key) else { return nil }
        var allowed = "allowed: \(range.lowerBound)...\(range.upperBound) \(unit)"
        if let note { allowed += " (\(note))" }
        guard case .scalar(let scalar) = node else {
            return try reject(key, at: node, "expected a whole number of \(unit), got \(describe(node)); \(allowed)")
        }
        let text = scalar.string
        guard scalar.style == .plain || scalar.style == .any else {
            return try reject(key, at: node,
                              "expected a whole number of \(unit), got the quoted text \(quoted(text)); "
                                  + "write the number without quotes; \(allowed)")
        }
        switch tagName(node) {
        case .int:
            let digits = text.replacingOccurrences(of: "_", with: "")
            guard digits.range(of: #"^[-+]?[0-9]+$"#, options: .regularExpression) != nil else {
                return try reject(key, at: node, "\(shortened(text)): write a plain decimal number; \(allowed)")
            }
            guard let number = Int(digits) else {
                return try reject(key, at: node, "\(shortened(text)) is too large; \(allowed)")
            }
            if number < 0 {
                return try reject(key, at: node, "\(shortened(text)) is negative; \(allowed)")
            }
            guard range.contains(number) else {
                return try reject(key, at: node, "\(shortened(text)) is out of range; \(allowed)")
            }
            return number
        case .float:
            return try reject(key, at: node, "\(shortened(text)) is not a whole number; \(allowed)")
        default:
            return try reject(key, at: node, "expected a whole number of \(unit), got \(describe(node)); \(allowed)")
        }
    }

    /// `true` or `false` (YAML 1.1 also reads yes/no/on/off).
    func bool(_ key: ConfigKey) throws(ConfigError) -> Bool? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node, tagName(node) == .bool, let value = Bool.construct(from: scalar) else {
            return try reject(key, at: node, "expected true or false, got \(describe(node))")
        }
        return value
    }

    /// One of the raw values of `T`.
    func choice<T: RawRepresentable & CaseIterable>(_ key: ConfigKey, _: T.Type) throws(ConfigError) -> T?
    where T.RawValue == String {
        let allowed = T.allCases.map(\.rawValue)
        let expected = "one of \(allowed.joined(separator: ", "))"
        guard case let (text, node)? = try scalar(key, expected: expected) else { return nil }
        if let value = T(rawValue: text) { return value }
        var message = "\(quoted(text)) is not allowed; expected \(expected)"
        if let suggestion = closestMatch(to: text, in: allowed) {
            message += "; did you mean \(suggestion)?"
        }
        return try reject(key, at: node, message)
    }
}

// MARK: - Helpers

/// YAML null: `~`, `null` or nothing at all (an empty plain scalar).
func isNull(_ node: Node) -> Bool {
    guard case .scalar = node else { return false }
    return tagName(node) == .null
}

/// A short description of a node for messages: `"maybe"`, `a list`, `a mapping`, `nothing (null)`.
func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar):
        return isNull(node) ? "nothing (null)" : quoted(scalar.string)
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}

/// A number as written, for messages: cut after `limit` characters, with its length.
func shortened(_ text: String, limit: Int = 200) -> String {
    text.count > limit ? String(text.prefix(limit)) + "… (\(text.count) characters)" : text
}

/// `text` in double quotes, escaped as YAML writes it (``yamlDoubleQuoted(_:)``), for messages;
/// cut after `limit` characters (a pasted blob must not flood a technician's terminal or the journal).
func quoted(_ text: String, limit: Int = 200) -> String {
    guard text.count > limit else { return yamlDoubleQuoted(text) }
    return String(yamlDoubleQuoted(String(text.prefix(limit))).dropLast()) + "…\" (\(text.count) characters)"
}

/// Why `text` cannot be a `terminal`, `site` or `survey`, or nil if it can.
func identifierProblem(_ text: String) -> String? {
    if text.trimmingCharacters(in: .whitespaces).isEmpty {
        return "must not be empty; expected a text of 1 to \(ConfigSchema.maxIdentifierLength) characters"
    }
    if let bad = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
        return "\(quoted(text)) contains the control character U+\(String(format: "%04X", bad.value)); "
            + "control characters are not allowed"
    }
    if text.count > ConfigSchema.maxIdentifierLength {
        return "\(quoted(text)) is \(text.count) characters long; at most \(ConfigSchema.maxIdentifierLength) allowed"
    }
    return nil
}

func unknownKeyMessage(_ key: String, allowed: [String], sections: [(name: String, keys: [ConfigKey])]) -> String {
    let allowedList = "allowed keys here: " + allowed.joined(separator: ", ")
    if let suggestion = closestMatch(to: key, in: allowed) {
        return "unknown key; did you mean \(suggestion)? \(allowedList)"
    }
    if let home = sections.first(where: { section in
        section.keys.map(\.name) != allowed && section.keys.contains { $0.name == key }
    }) {
        return "unknown key; \(key) belongs in \(home.name); \(allowedList)"
    }
    return "unknown key; \(allowedList)"
}

/// The candidate within edit distance 2 of `text` (ignoring case), closest first; nil if none.
func closestMatch(to text: String, in candidates: [String]) -> String? {
    let lowered = text.lowercased()
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(lowered, candidate.lowercased())
        if distance <= 2, distance < (best?.distance ?? Int.max) {
            best = (candidate, distance)
        }
    }
    return best?.candidate
}

/// Levenshtein distance.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// `path` if absolute, else `path` relative to `directory` (absolute), with `.` and `..` removed
/// lexically.
func resolvePath(_ path: String, against directory: String) -> String {
    if path.hasPrefix("/") { return path }
    return normalizePath(directory + "/" + path)
}

/// Removes `.`, `..` and repeated slashes from an absolute path, without touching the file system.
func normalizePath(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        switch part {
        case ".": continue
        case "..": if !parts.isEmpty { parts.removeLast() }
        default: parts.append(part)
        }
    }
    return "/" + parts.joined(separator: "/")
}

/// The resolved YAML tag (`!!int`, `!!str`, `!!null`…) of a node: explicit, or from the
/// default (YAML 1.1 core) rules; quoted scalars are strings.
func tagName(_ node: Node) -> Tag.Name {
    Resolver.default.resolveTag(of: node)
}

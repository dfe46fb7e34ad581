import SmileyCore

/// Why a configuration file was refused: every problem found in it, in file order, as a compiler
/// reports them, so one run shows a technician everything to fix.
///
/// `description` is one ``ConfigDiagnostic`` per line, e.g.
/// `smiley.yaml:12:5: press.debounse-ms: unknown key; did you mean debounce-ms? allowed keys here: …`.
/// Print it as is; there is no stack trace or decoder dump behind it. `path`, `line`, `column`,
/// `keyPath` and `message` are those of the first problem.
public struct ConfigError: UserFacingError, Sendable, Equatable {
    /// The first problem in the file (by line and column).
    public let first: ConfigDiagnostic
    /// Every problem found, sorted by position (the first is ``first``); at most
    /// ``maximumDiagnostics``.
    public let diagnostics: [ConfigDiagnostic]
    /// True when reading stopped at ``maximumDiagnostics`` problems; more may follow.
    public let truncated: Bool

    /// Reading a file stops after this many problems.
    public static let maximumDiagnostics = 50

    /// A refusal with one problem.
    public init(path: String, line: Int? = nil, column: Int? = nil, keyPath: String = "", message: String) {
        self.init(ConfigDiagnostic(path: path, line: line, column: column, keyPath: keyPath, message: message))
    }

    /// A refusal with `first` and `others`, in any order: they are sorted by position (problems
    /// at the same position keep their order).
    public init(_ first: ConfigDiagnostic, _ others: [ConfigDiagnostic] = [], truncated: Bool = false) {
        let sorted = ([first] + others).enumerated().sorted { a, b in
            let left = (a.element.line ?? 0, a.element.column ?? 0, a.offset)
            let right = (b.element.line ?? 0, b.element.column ?? 0, b.offset)
            return left < right
        }.map(\.element)
        self.first = sorted.first ?? first
        self.diagnostics = sorted
        self.truncated = truncated
    }

    /// The configuration file, as it was named.
    public var path: String { first.path }
    /// 1-based line of the first problem, when it has one.
    public var line: Int? { first.line }
    /// 1-based column of the first problem, when it has one.
    public var column: Int? { first.column }
    /// Where in the document the first problem is (see ``ConfigDiagnostic/keyPath``).
    public var keyPath: String { first.keyPath }
    /// What is wrong at the first problem.
    public var message: String { first.message }

    /// sysexits.h `EX_CONFIG`: the exit status for a bad configuration.
    public var exitCode: Int32 { 78 }

    public var description: String {
        var lines = diagnostics.map(\.description)
        if truncated {
            lines.append("\(path): stopped after \(diagnostics.count) errors; fix these and check again")
        }
        return lines.joined(separator: "\n")
    }
}

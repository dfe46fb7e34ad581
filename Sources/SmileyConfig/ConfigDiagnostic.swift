/// One problem in the configuration file, located as precisely as the file allows.
///
/// `description` reads like a compiler diagnostic, e.g.
/// `smiley.yaml:12:5: press.debounse-ms: unknown key; did you mean debounce-ms? allowed keys here: …`
/// (path:line:column: key: what is wrong, the bad value, what is allowed).
public struct ConfigDiagnostic: CustomStringConvertible, Sendable, Equatable {
    /// The configuration file, as it was named (`--config`, `SMILEY_CONFIG` or the default).
    public var path: String
    /// 1-based line of the offending node, when the node exists in the file.
    public var line: Int?
    /// 1-based column (in Unicode scalars, as libyaml counts) of the offending node.
    public var column: Int?
    /// Where in the document: `press.debounce-ms`, `buttons[1].line`, `timezone`; empty when the
    /// problem is the file as a whole (unreadable, empty, YAML syntax).
    public var keyPath: String
    /// What is wrong, the bad value and what is allowed.
    public var message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, keyPath: String = "", message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        var text = path
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }
}

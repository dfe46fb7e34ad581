/// The problems found so far while decoding one file. Decoding records a problem and goes on
/// (with the key's default), so one run reports every independent mistake; it stops at
/// ``ConfigError/maximumDiagnostics``.
final class DiagnosticLog {
    private(set) var diagnostics: [ConfigDiagnostic] = []
    /// Key paths that had a problem: checks that depend on them are skipped (no follow-on errors).
    private var failed: Set<String> = []

    /// Records `diagnostic`; throws everything recorded once the limit is passed.
    func record(_ diagnostic: ConfigDiagnostic) throws(ConfigError) {
        if diagnostics.count >= ConfigError.maximumDiagnostics, let collected = error(truncated: true) {
            throw collected
        }
        diagnostics.append(diagnostic)
        failed.insert(diagnostic.keyPath)
    }

    /// Whether a problem was recorded at `keyPath`.
    func hasFailed(_ keyPath: String) -> Bool { failed.contains(keyPath) }

    /// Everything recorded, as one error; nil when nothing was.
    func error(truncated: Bool = false) -> ConfigError? {
        guard let first = diagnostics.first else { return nil }
        return ConfigError(first, Array(diagnostics.dropFirst()), truncated: truncated)
    }
}

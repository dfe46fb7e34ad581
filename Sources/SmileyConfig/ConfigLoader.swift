import Foundation
import SmileyCore
import Yams
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds, reads and strictly validates `smiley.yaml`.
///
/// Strict means: unknown keys are errors at every level (with "did you mean" for typos), values
/// of the wrong type or out of range are errors, and every error names the file, line, column and
/// key. Every problem in the file is reported at once (a ``ConfigError`` lists them in file order,
/// up to ``ConfigError/maximumDiagnostics``), so a technician fixes them in one round trip.
/// YAML null (`site:` with no value) counts as absent.
///
/// Paths in the file (`database`, `runtime-directory`, `replay.file`) may be relative: they are
/// resolved against the folder of the configuration file (not the working directory), so a demo
/// configuration in a repository can say `database: ../demo/smiley.sqlite`. `.` and `..` are
/// removed lexically; the returned ``Configuration`` holds absolute paths.
public enum ConfigLoader {
    /// The configuration file to use: the `--config PATH` option, else `$SMILEY_CONFIG`, else
    /// ``Configuration/defaultPath`` (`/etc/smiley/smiley.yaml`). Empty values count as unset.
    public static func resolvePath(option: String?, environment: [String: String]) -> String {
        if let option, !option.isEmpty { return option }
        if let fromEnvironment = environment["SMILEY_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        return Configuration.defaultPath
    }

    /// Reads and validates the configuration file at `path`.
    ///
    /// - Parameters:
    ///   - environment: supplies `RUNTIME_DIRECTORY` (the default `runtime-directory`).
    ///   - hostName: the default `terminal`.
    ///   - requireReplayFile: pass false when the command line gives the trace (`--replay FILE`),
    ///     so `input: replay` without `replay.file` is accepted (the file is then "").
    /// - Throws: ``ConfigError`` when the file is missing, unreadable or invalid.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        hostName: String = ConfigLoader.systemHostName(),
        requireReplayFile: Bool = true
    ) throws(ConfigError) -> Configuration {
        let text = try readFile(path)
        return try parse(yaml: text, path: path, environment: environment, hostName: hostName,
                         requireReplayFile: requireReplayFile)
    }

    /// Validates configuration text; `path` names it in errors and anchors relative paths (a
    /// relative `path` is taken from the current directory).
    public static func parse(
        yaml: String,
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        hostName: String = ConfigLoader.systemHostName(),
        requireReplayFile: Bool = true
    ) throws(ConfigError) -> Configuration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw syntaxError(error, yaml: yaml, path: path)
        }
        guard let root else {
            throw ConfigError(path: path, message: "the file is empty; it needs at least a buttons: list "
                + "(see the configuration reference in the README)")
        }
        let context = DecodingContext(path: path, directory: configDirectory(of: path), environment: environment,
                                      hostName: hostName, requireReplayFile: requireReplayFile,
                                      log: DiagnosticLog())
        return try ConfigDecoder(context: context).decodeConfiguration(root)
    }

    /// This machine's host name (`gethostname`), or `localhost` if it has none.
    public static func systemHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let name = String(decoding: bytes, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    // MARK: - Internals

    static let howToChoose = "use --config PATH or SMILEY_CONFIG to name another file"

    static func readFile(_ path: String) throws(ConfigError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(path: path, message: "no such configuration file; create it, or \(howToChoose)")
        }
        if isDirectory.boolValue {
            throw ConfigError(path: path, message: "is a folder, not a configuration file; \(howToChoose)")
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path)
        else {
            throw ConfigError(path: path, message: "cannot read the configuration file (permission denied?); "
                + "check its permissions, or \(howToChoose)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, message: "is not UTF-8 text; save it as UTF-8")
        }
        return text
    }

    /// Absolute, normalized folder of the file at `path`.
    static func configDirectory(of path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let normalized = normalizePath(absolute)
        guard let slash = normalized.lastIndex(of: "/"), slash != normalized.startIndex else { return "/" }
        return String(normalized[..<slash])
    }

    /// A Yams error as a ``ConfigError`` at the line and column Yams reports.
    static func syntaxError(_ error: any Error, yaml: String, path: String) -> ConfigError {
        guard let yamlError = error as? YamlError else {
            return ConfigError(path: path, message: "cannot parse the YAML: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return ConfigError(path: path, line: mark.line, column: mark.column, message: message)
        case .reader(let problem, let offset, _, _):
            let position = offset.map { lineAndColumn(ofCharacterOffset: $0, in: yaml) }
            return ConfigError(path: path, line: position?.line, column: position?.column,
                               message: "cannot read the text: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = context.mark
            if let again = nextOccurrence(ofKey: key, after: first, in: yaml) {
                return ConfigError(path: path, line: again.line, column: again.column, keyPath: key,
                                   message: "key given twice in the same mapping (first at line \(first.line)); "
                                       + "give each key once")
            }
            return ConfigError(path: path, line: first.line, column: first.column, keyPath: key,
                               message: "key given more than once in the same mapping; give each key once")
        default:
            return ConfigError(path: path, message: "cannot parse the YAML: \(yamlError)")
        }
    }

    static func lineAndColumn(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    /// Where `key` is given again at the same column below `mark` (Yams reports only the first).
    static func nextOccurrence(ofKey key: String, after mark: Mark, in yaml: String) -> (line: Int, column: Int)? {
        guard !key.isEmpty else { return nil }
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        for index in mark.line..<max(mark.line, lines.count) {
            let scalars = Array(lines[index].unicodeScalars)
            guard scalars.count >= mark.column - 1 + key.unicodeScalars.count else { continue }
            let rest = String(String.UnicodeScalarView(scalars[(mark.column - 1)...]))
            guard rest.hasPrefix(key) else { continue }
            let after = rest.dropFirst(key.count).drop { $0 == " " }
            if after.hasPrefix(":") { return (index + 1, mark.column) }
        }
        return nil
    }
}

import Foundation
import Yams

/// Reads another YAML configuration file (smiley-collector's) the way `smiley.yaml` is read:
/// YAML syntax errors located, unknown keys refused with a "did you mean", values read through
/// ``SectionReader`` and every problem reported at once as a ``ConfigError``.
public enum ConfigDocument {
    /// The composed document, or nil when it is empty; a YAML syntax error is located.
    public static func compose(yaml: String, path: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigLoader.syntaxError(error, yaml: yaml, path: path)
        }
    }

    /// Reads the mapping `root`, whose allowed keys are `keys`, with `body`; relative paths
    /// resolve against `directory`. Throws every problem recorded, in file order.
    public static func read<T>(_ root: Node, path: String, directory: String, keys: [ConfigKey],
                               _ body: (SectionReader) throws(ConfigError) -> T) throws(ConfigError) -> T {
        let context = DecodingContext(path: path, directory: directory, environment: [:], hostName: "",
                                      requireReplayFile: false, log: DiagnosticLog(), sections: [("the top level", keys)])
        guard let section = try SectionReader(root, keyPath: "", keys: keys, context: context) else {
            throw context.log.error() ?? ConfigError(path: path, message: "expected a mapping")
        }
        let value = try body(section)
        if let error = context.log.error() { throw error }
        return value
    }
}

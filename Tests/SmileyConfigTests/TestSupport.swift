import Foundation
import SmileyConfig

/// The path tests parse under; relative paths in the YAML resolve against /etc/smiley.
let testPath = "/etc/smiley/smiley.yaml"

/// Two buttons on GPIO5 and GPIO6: the smallest valid file (lines 1 to 5).
let twoButtons = """
    buttons:
      - name: unhappy
        line: GPIO5
      - name: happy
        line: GPIO6

    """

func parse(_ yaml: String, path: String = testPath, environment: [String: String] = [:],
           hostName: String = "test-host", requireReplayFile: Bool = true) throws(ConfigError) -> Configuration {
    try ConfigLoader.parse(yaml: yaml, path: path, environment: environment, hostName: hostName,
                           requireReplayFile: requireReplayFile)
}

/// The error parsing `yaml` throws, or nil if it parses.
func parseError(_ yaml: String, requireReplayFile: Bool = true) -> ConfigError? {
    do {
        _ = try parse(yaml, requireReplayFile: requireReplayFile)
        return nil
    } catch {
        return error
    }
}

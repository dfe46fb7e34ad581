import SmileyCore

/// The shape of `smiley.yaml` in one place: every key of every section, declared once as a
/// ``ConfigKey`` (name, kind and range, default, help), in the order `--check-config` renders them
/// and the README's key table lists them.
///
/// To add a key: declare it here and list it in its section's table; read it in
/// `ConfigDecoding.swift` through ``SectionReader`` (which rejects unknown keys and locates every
/// error); give its value in `ConfigRendering.swift` (the rendering test fails until you do); then
/// paste ``ConfigReference/markdownTable`` into the README (its test fails until you do).
enum ConfigSchema {
    static let identifier = "1 to \(maxIdentifierLength) characters, no control characters"
    static let lineForms = "a line name (`GPIO17`), `chip:offset` (`gpiochip0:5`, `pinctrl-rp1:5`, "
        + "`/dev/gpiochip0:5`) or an offset (`5`)"

    // MARK: The top level

    static let terminal = ConfigKey.value("terminal", allowed: identifier, default: "the host name",
                                          help: "id of this device")
    static let site = ConfigKey.value("site", allowed: identifier, default: "the terminal id",
                                      help: "where the terminal stands")
    static let survey = ConfigKey.value("survey", allowed: identifier, default: "`default`",
                                        help: "the question on the stand")
    static let timezone = ConfigKey.value(
        "timezone", allowed: "an IANA id from the system's tz database, e.g. `Europe/Helsinki`",
        default: "the system's (`TZ`, `/etc/localtime`)", help: "local days and UTC offsets")
    static let database = ConfigKey.value("database", allowed: "a path", default: "`\(Configuration.defaultDatabase)`",
                                          help: "the SQLite database")
    static let runtimeDirectory = ConfigKey.value(
        "runtime-directory", allowed: "a path",
        default: "`$RUNTIME_DIRECTORY`, else `\(Configuration.defaultRuntimeDirectory)`",
        help: "where the daemon writes `status.json` and its control socket")
    static let input = ConfigKey.value("input", allowed: codeList(InputKind.allCases.map(\.rawValue)),
                                       default: "`\(InputKind.gpio.rawValue)`",
                                       help: "where presses come from; `keyboard` reads keys from standard input and is refused (exit 78) when that is /dev/null, as under systemd")
    static let replay = ConfigKey.section("replay", help: "the trace `input: replay` plays")
    static let buttons = ConfigKey.value(
        "buttons",
        allowed: "\(Scale.allowedButtonCounts.lowerBound) to \(Scale.allowedButtonCounts.upperBound) entries",
        default: "— (required)", help: "the buttons, most negative first")
    static let ackLine = ConfigKey.value("ack-line", allowed: "a line, as `buttons[].line`", default: "—",
                                         help: "an output (LED) pulsed after an accepted press is committed")
    static let misuseLine = ConfigKey.value("misuse-line", allowed: "a line, as `buttons[].line`", default: "—",
                                            help: "an output (LED) pulsed after a flagged press is committed")
    static let press = ConfigKey.section("press", help: "how edges become presses")
    static let report = ConfigKey.section("report", help: "summaries and the end-of-day report")
    static let upstream = ConfigKey.section("upstream", default: "— (samples stay on the terminal)",
                                            help: "the receiver samples are sent to (docs/sync.md)")
    static let retentionDays = ConfigKey.integer(
        "retention-days", 1...36_500, "days", default: Configuration.defaultRetentionDays,
        help: "synced samples recorded longer ago are pruned; unsynced ones never are")

    static let top = [
        terminal, site, survey, timezone, database, runtimeDirectory, input, replay, buttons, ackLine, misuseLine,
        press, report, upstream, retentionDays,
    ]

    // MARK: replay:

    static let replayFile = ConfigKey.value(
        "file", allowed: "a path", default: "—",
        help: "a trace as gpiomon prints it; required for `input: replay` unless `--replay FILE`")
    static let replaySpeed = ConfigKey.value("speed", allowed: "a factor > 0 (1 = real time) or `max`",
                                             default: "`max`", help: "how fast the trace is played")

    static let replaySection = [replayFile, replaySpeed]

    // MARK: Each entry of buttons:

    static let buttonName = ConfigKey.value("name", allowed: "letters, digits, `-`, `_`; unique",
                                            default: "— (required)", help: "the button's name in summaries")
    static let buttonLine = ConfigKey.value("line", allowed: lineForms, default: "— (required for gpio, replay)",
                                            help: "the GPIO line the button is wired to")
    static let buttonActiveLow = ConfigKey.value("active-low", allowed: "`true` or `false`",
                                                 default: "`\(ButtonConfig.defaultActiveLow)`",
                                                 help: "true: the button connects the line to ground")
    static let buttonBias = ConfigKey.value("bias", allowed: codeList(Bias.allCases.map(\.rawValue)),
                                            default: "`\(ButtonConfig.defaultBias.rawValue)`",
                                            help: "the line's pull resistor")

    static let button = [buttonName, buttonLine, buttonActiveLow, buttonBias]

    // MARK: press:

    static let debounceMs = ConfigKey.integer(
        "debounce-ms", 0...1000, "milliseconds", note: "0 = edges are already clean", default: PressRules.default.debounceMs,
        help: "a level change counts once the line has stayed at it this long")
    static let responseIntervalMs = ConfigKey.integer(
        "response-interval-ms", 0...3_600_000, "milliseconds", note: "0 = off", default: PressRules.default.responseIntervalMs,
        help: "a press this soon after the previous one is flagged")
    static let simultaneousMs = ConfigKey.integer(
        "simultaneous-ms", 0...10_000, "milliseconds", note: "0 = off", default: PressRules.default.simultaneousMs,
        help: "two buttons pressed this close together are both flagged")
    static let heldMs = ConfigKey.integer(
        "held-ms", 100...3_600_000, "milliseconds", default: PressRules.default.heldMs,
        help: "a button down longer raises a held warning")

    static let pressSection = [debounceMs, responseIntervalMs, simultaneousMs, heldMs]

    // MARK: report:

    static let minSamples = ConfigKey.integer(
        "min-samples", 1...100_000, "presses", note: "fewer presses show counts but no index",
        default: ReportSettings().minSamples, help: "the fewest presses an hour, day or period needs for an index")
    static let reportDirectory = ConfigKey.value("directory", allowed: "a path",
                                                 default: "`\(ReportSettings.defaultDirectory)`",
                                                 help: "where the end-of-day report is written")
    static let keepDays = ConfigKey.integer("keep-days", 1...36_500, "days", default: ReportSettings().keepDays,
                                            help: "end-of-day reports older than this are deleted")
    static let closingTime = ConfigKey.value(
        "closing-time", allowed: "`HH:MM`, 24-hour clock", default: "`\(ReportSettings().closingTime)`",
        help: "from then on the end-of-day report covers today, before it yesterday")

    static let reportSection = [minSamples, reportDirectory, keepDays, closingTime]

    // MARK: upstream:

    static let url = ConfigKey.value("url", allowed: "`https://…` (or `http://` on a trusted network)",
                                     default: "— (required)", help: "the receiver's base URL")
    static let tokenFile = ConfigKey.value("token-file", allowed: "a path; the file's mode 0600",
                                           default: "— (required)", help: "the file holding the bearer token")
    static let caFile = ConfigKey.value("ca-file", allowed: "a path (PEM)", default: "—",
                                        help: "extra trust roots; TLS verification is always on")
    static let batchSize = ConfigKey.integer("batch-size", 1...5_000, "samples",
                                             default: UpstreamSettings.defaults.batchSize,
                                             help: "the most samples in one request")
    static let coalesceMs = ConfigKey.integer("coalesce-ms", 0...600_000, "milliseconds",
                                              default: UpstreamSettings.defaults.coalesceMs,
                                              help: "after a press, wait so presses close together travel together")
    static let intervalSeconds = ConfigKey.integer(
        "interval-seconds", 1...86_400, "seconds", default: UpstreamSettings.defaults.intervalSeconds,
        help: "while samples wait for something else than a trigger, look again this often")
    static let connectTimeoutMs = ConfigKey.integer("connect-timeout-ms", 100...300_000, "milliseconds",
                                                    default: UpstreamSettings.defaults.connectTimeoutMs,
                                                    help: "connecting to the receiver")
    static let requestTimeoutMs = ConfigKey.integer("request-timeout-ms", 100...3_600_000, "milliseconds",
                                                    default: UpstreamSettings.defaults.requestTimeoutMs,
                                                    help: "one whole request, answer included")
    static let retryInitialMs = ConfigKey.integer(
        "retry-initial-ms", 1...600_000, "milliseconds", default: UpstreamSettings.defaults.retryInitialMs,
        help: "backoff: random(0, min(retry-max-ms, retry-initial-ms · 2^n))")
    static let retryMaxMs = ConfigKey.integer("retry-max-ms", 1...86_400_000, "milliseconds",
                                              default: UpstreamSettings.defaults.retryMaxMs,
                                              help: "the longest wait; at least retry-initial-ms")
    static let heartbeatSeconds = ConfigKey.integer(
        "heartbeat-seconds", 0...86_400, "seconds", note: "0 = no heartbeat", default: UpstreamSettings.defaults.heartbeatSeconds,
        help: "how often to report to `{url}/v1/heartbeat`")
    static let gzip = ConfigKey.value("gzip", allowed: "`true` or `false`", default: "`\(UpstreamSettings.defaults.gzip)`",
                                      help: "compress request bodies")

    static let upstreamSection = [
        url, tokenFile, caFile, batchSize, coalesceMs, intervalSeconds, connectTimeoutMs, requestTimeoutMs,
        retryInitialMs, retryMaxMs, heartbeatSeconds, gzip,
    ]

    /// The tables of the top-level keys that hold keys of their own, with the prefix the
    /// reference gives their keys (`press.`, `buttons[].`).
    static let nested: [(parent: ConfigKey, prefix: String, keys: [ConfigKey])] = [
        (replay, "replay.", replaySection),
        (buttons, "buttons[].", button),
        (press, "press.", pressSection),
        (report, "report.", reportSection),
        (upstream, "upstream.", upstreamSection),
    ]

    /// Every table with a human name for hints such as "debounce-ms belongs in press:".
    static let sections: [(name: String, keys: [ConfigKey])] = [
        ("the top level", top),
        ("replay:", replaySection),
        ("each entry of buttons:", button),
        ("press:", pressSection),
        ("report:", reportSection),
        ("upstream:", upstreamSection),
    ]

    /// `terminal`, `site`, `survey` and button names.
    static let maxIdentifierLength = 64

    static func codeList(_ values: [String]) -> String { values.map { "`\($0)`" }.joined(separator: ", ") }
}

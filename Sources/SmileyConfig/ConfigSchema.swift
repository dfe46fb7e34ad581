/// The shape of `smiley.yaml` in one place: the allowed keys of every section (in the order
/// ``Configuration/rendered()`` writes them) and the limits of every number.
///
/// To add a section, say `upstream:` with `url`, `token-file`, `batch-size`:
/// 1. add `static let upstream = ["url", "token-file", "batch-size"]` below, add `"upstream"` to
///    `top`, and list it in `sections` (that feeds the "belongs in upstream:" hints);
/// 2. write one `decodeUpstream(_ node: Node) throws(ConfigError) -> UpstreamSettings?` next to
///    `decodePress` in `ConfigDecoding.swift`, reading keys through `SectionReader` (which records
///    unknown keys and refused values, located, and lets decoding go on), and call it from
///    `decodeConfiguration`;
/// 3. render it in `ConfigRendering.swift` so `--check-config` shows it and the round-trip test holds.
enum ConfigKeys {
    static let top = [
        "terminal", "site", "survey", "timezone", "database", "runtime-directory", "input", "replay",
        "buttons", "ack-line", "misuse-line", "press", "report", "upstream", "retention-days",
    ]
    static let replay = ["file", "speed"]
    static let button = ["name", "line", "active-low", "bias"]
    static let press = ["debounce-ms", "response-interval-ms", "simultaneous-ms", "held-ms"]
    static let report = ["min-samples", "directory", "keep-days", "closing-time"]
    static let upstream = [
        "url", "token-file", "ca-file", "batch-size", "coalesce-ms", "interval-seconds", "connect-timeout-ms",
        "request-timeout-ms", "retry-initial-ms", "retry-max-ms", "heartbeat-seconds", "gzip",
    ]

    /// Every section with a human name for hints such as "debounce-ms belongs in press:".
    static let sections: [(name: String, keys: [String])] = [
        ("the top level", top),
        ("replay:", replay),
        ("each entry of buttons:", button),
        ("press:", press),
        ("report:", report),
        ("upstream:", upstream),
    ]
}

/// Limits of values.
enum ConfigLimits {
    static let debounceMs = 0...1000
    static let responseIntervalMs = 0...3_600_000
    static let simultaneousMs = 0...10_000
    static let heldMs = 100...3_600_000
    static let minSamples = 1...100_000
    static let keepDays = 1...36_500
    static let batchSize = 1...5_000
    static let coalesceMs = 0...600_000
    static let intervalSeconds = 1...86_400
    static let connectTimeoutMs = 100...300_000
    static let requestTimeoutMs = 100...3_600_000
    static let retryInitialMs = 1...600_000
    static let retryMaxMs = 1...86_400_000
    static let heartbeatSeconds = 0...86_400
    static let retentionDays = 1...36_500
    /// `terminal`, `site`, `survey` and button names.
    static let maxIdentifierLength = 64
}

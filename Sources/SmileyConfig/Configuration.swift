import Foundation
import SmileyCore
@_exported import struct SmileyCore.Zone

/// The typed contents of `smiley.yaml`. Keys in the file are kebab-case (`debounce-ms`); see the
/// README's configuration reference. ``ConfigLoader`` reads and validates it.
public struct Configuration: Sendable, Equatable {
    /// Id of this device (`terminal`). Default: the host name.
    public var terminal: String
    /// `site`. Default: the terminal id.
    public var site: String
    /// The question on the stand (`survey`). Default: `default`.
    public var survey: String
    /// IANA zone (`timezone`) for local days and UTC offsets. Default: the system's.
    /// Offsets come from the system's tz database (see ``Zone``), so no process loads ICU.
    public var zone: Zone
    /// Path of the SQLite database (`database`). Default: `/var/lib/smiley/smiley.sqlite`.
    public var database: String
    /// Folder for the daemon's status file and control socket (`runtime-directory`).
    /// Default: `$RUNTIME_DIRECTORY` when systemd sets it, else `/run/smiley`.
    public var runtimeDirectory: String
    /// `input`: gpio | keyboard | replay. Default: gpio.
    public var input: InputKind
    /// `replay` section, used when input is replay (the `--replay` option overrides it).
    public var replay: ReplaySettings?
    /// `buttons`, most negative first; 2 to 5.
    public var buttons: [ButtonConfig]
    /// `press` section.
    public var press: PressRules
    /// `report` section: summaries and the end-of-day report.
    public var report: ReportSettings
    /// `ack-line`: a GPIO line (an LED) pulsed for about 300 ms after an accepted press is committed.
    public var ackLine: LineSpec?
    /// `misuse-line`: a GPIO line pulsed after a flagged press (too soon, simultaneous) is committed.
    public var misuseLine: LineSpec?
    /// `upstream` section: where samples are sent. Nil: they stay on the terminal.
    public var upstream: UpstreamSettings?
    /// `retention-days`: synced samples recorded longer ago than this are pruned (unsynced ones
    /// never are). Default 400.
    public var retentionDays: Int

    public init(terminal: String, site: String, survey: String, zone: Zone, database: String,
                runtimeDirectory: String, input: InputKind, replay: ReplaySettings?, buttons: [ButtonConfig],
                press: PressRules, report: ReportSettings = ReportSettings(), ackLine: LineSpec? = nil,
                misuseLine: LineSpec? = nil, upstream: UpstreamSettings? = nil,
                retentionDays: Int = Configuration.defaultRetentionDays) {
        self.terminal = terminal
        self.site = site
        self.survey = survey
        self.zone = zone
        self.database = database
        self.runtimeDirectory = runtimeDirectory
        self.input = input
        self.replay = replay
        self.buttons = buttons
        self.press = press
        self.report = report
        self.ackLine = ackLine
        self.misuseLine = misuseLine
        self.upstream = upstream
        self.retentionDays = retentionDays
    }

    /// Number of buttons, the scale of every sample.
    public var scale: Int { buttons.count }

    public static let defaultPath = "/etc/smiley/smiley.yaml"
    public static let defaultDatabase = "/var/lib/smiley/smiley.sqlite"
    public static let defaultRuntimeDirectory = "/run/smiley"
    public static let defaultRetentionDays = 400
}

/// The `upstream:` section: the receiver samples are sent to (see docs/sync.md).
public struct UpstreamSettings: Sendable, Equatable {
    /// `url`: the receiver's base URL, http or https, without a trailing slash; batches go to
    /// `{url}/v1/batches`, heartbeats to `{url}/v1/heartbeat`.
    public var url: String
    /// `token-file`: a file holding the bearer token, readable by its owner only.
    public var tokenFile: String
    /// `ca-file`: a PEM file of extra trust roots for https (a private CA). Verification is
    /// always on.
    public var caFile: String?
    /// `batch-size`: the most samples in one request. Default 500.
    public var batchSize: Int
    /// `coalesce-ms`: after a press, wait this long so that presses close together travel in one
    /// batch. Default 3000.
    public var coalesceMs: Int
    /// `interval-seconds`: while samples wait (a receiver that refused several batches in a row,
    /// samples waiting for the clock), look again this often. Default 300.
    public var intervalSeconds: Int
    /// `connect-timeout-ms`. Default 10000.
    public var connectTimeoutMs: Int
    /// `request-timeout-ms`: one whole request, answer included. Default 30000.
    public var requestTimeoutMs: Int
    /// `retry-initial-ms` and `retry-max-ms`: retries wait random(0, min(max, initial·2^n)).
    /// Defaults 1000 and 300000.
    public var retryInitialMs: Int
    public var retryMaxMs: Int
    /// `heartbeat-seconds`: how often to report to `{url}/v1/heartbeat`; 0 = never. Default 900.
    public var heartbeatSeconds: Int
    /// `gzip`: compress request bodies. Default true.
    public var gzip: Bool

    public init(url: String, tokenFile: String, caFile: String? = nil, batchSize: Int = 500, coalesceMs: Int = 3_000,
                intervalSeconds: Int = 300, connectTimeoutMs: Int = 10_000, requestTimeoutMs: Int = 30_000,
                retryInitialMs: Int = 1_000, retryMaxMs: Int = 300_000, heartbeatSeconds: Int = 900, gzip: Bool = true) {
        self.url = url
        self.tokenFile = tokenFile
        self.caFile = caFile
        self.batchSize = batchSize
        self.coalesceMs = coalesceMs
        self.intervalSeconds = intervalSeconds
        self.connectTimeoutMs = connectTimeoutMs
        self.requestTimeoutMs = requestTimeoutMs
        self.retryInitialMs = retryInitialMs
        self.retryMaxMs = retryMaxMs
        self.heartbeatSeconds = heartbeatSeconds
        self.gzip = gzip
    }

    /// The defaults of every key but `url` and `token-file` (which have none).
    static let defaults = UpstreamSettings(url: "", tokenFile: "")
}

/// `report:` — how summaries and the end-of-day report behave.
public struct ReportSettings: Sendable, Equatable {
    /// `min-samples`: an hour, day or period with fewer counted presses shows its counts but no
    /// index (nor top-2 share or net score). Default 10.
    public var minSamples: Int
    /// `directory`: where `smileyctl report --end-of-day` writes `YYYY-MM-DD.txt`, `.json` and
    /// `.html`. Default `/var/lib/smiley/reports`.
    public var directory: String
    /// `keep-days`: end-of-day reports older than this many days are deleted. Default 90.
    public var keepDays: Int
    /// `closing-time` (`HH:MM`, local): from this time on, the end-of-day report covers today;
    /// before it, yesterday. `"00:00"` (the default) means a day is reported once it has ended.
    public var closingTime: ClockTime

    public init(minSamples: Int = 10, directory: String = ReportSettings.defaultDirectory, keepDays: Int = 90,
                closingTime: ClockTime = ClockTime(hour: 0, minute: 0)) {
        self.minSamples = minSamples
        self.directory = directory
        self.keepDays = keepDays
        self.closingTime = closingTime
    }

    public static let defaultDirectory = "/var/lib/smiley/reports"
}

/// A time of day on the local clock, `HH:MM`.
public struct ClockTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    public init(hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    /// Parses `HH:MM` (24-hour clock, `H:MM` allowed); nil otherwise.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var minutesSinceMidnight: Int { hour * 60 + minute }

    public var description: String { String(format: "%02d:%02d", hour, minute) }

    public static func < (a: ClockTime, b: ClockTime) -> Bool { a.minutesSinceMidnight < b.minutesSinceMidnight }
}

public enum InputKind: String, Sendable, Equatable, CaseIterable {
    case gpio
    case keyboard
    case replay
}

public struct ReplaySettings: Sendable, Equatable {
    /// `replay.file`: a trace as gpiomon prints it.
    public var file: String
    /// `replay.speed`: a factor (1 = real time) or nil for as fast as possible (`max`).
    public var speed: Double?

    public init(file: String, speed: Double?) {
        self.file = file
        self.speed = speed
    }
}

public struct ButtonConfig: Sendable, Equatable {
    /// `name`, e.g. `very-happy`; unique.
    public var name: String
    /// `line`; required for gpio and replay input, unused by the keyboard.
    public var line: LineSpec?
    /// `active-low` (default true: the button connects the line to ground, with a pull-up).
    public var activeLow: Bool
    /// `bias` (default pull-up).
    public var bias: Bias

    public init(name: String, line: LineSpec?, activeLow: Bool = ButtonConfig.defaultActiveLow,
                bias: Bias = ButtonConfig.defaultBias) {
        self.name = name
        self.line = line
        self.activeLow = activeLow
        self.bias = bias
    }

    public static let defaultActiveLow = true
    public static let defaultBias = Bias.pullUp
}

public enum Bias: String, Sendable, Equatable, CaseIterable {
    case pullUp = "pull-up"
    case pullDown = "pull-down"
    case disabled = "disabled"
    case asIs = "as-is"
}

/// A GPIO line as the config names it.
public enum LineSpec: Sendable, Hashable, CustomStringConvertible {
    /// A line name searched across all chips, e.g. `GPIO17`.
    case name(String)
    /// `chip:offset`, chip being a path (`/dev/gpiochip0`), a name (`gpiochip0`) or a label (`pinctrl-rp1`).
    case chipOffset(chip: String, offset: Int)
    /// A bare offset, e.g. `5` (on the only chip, or in a replayed trace).
    case offset(Int)

    /// Parses `GPIO17`, `gpiochip0:5`, `pinctrl-rp1:5`, `/dev/gpiochip0:5` or `5`.
    /// Returns nil for an empty string or a bad offset.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let value = Int(trimmed) {
            guard value >= 0 else { return nil }
            self = .offset(value)
            return
        }
        if let colon = trimmed.lastIndex(of: ":") {
            let chip = String(trimmed[..<colon])
            let offsetText = String(trimmed[trimmed.index(after: colon)...])
            guard !chip.isEmpty, let offset = Int(offsetText), offset >= 0 else { return nil }
            self = .chipOffset(chip: chip, offset: offset)
            return
        }
        self = .name(trimmed)
    }

    public var description: String {
        switch self {
        case .name(let name): name
        case .chipOffset(let chip, let offset): "\(chip):\(offset)"
        case .offset(let offset): "\(offset)"
        }
    }

    /// The offset a replayed trace uses for this line: the explicit offset, or N for a
    /// Raspberry Pi style name `GPION` (the header chip numbers its lines so).
    public var traceOffset: Int? {
        switch self {
        case .chipOffset(_, let offset), .offset(let offset):
            return offset
        case .name(let name):
            guard name.uppercased().hasPrefix("GPIO"), let n = Int(name.dropFirst(4)), n >= 0 else { return nil }
            return n
        }
    }
}

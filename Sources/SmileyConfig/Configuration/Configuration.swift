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

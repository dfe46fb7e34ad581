import ArgumentParser
import Foundation
import Logging
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyStore
import SmileySync
import SmileySyncControl

/// `smileyd`: records every button press of a Smiley terminal durably.
public struct SmileydCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "smileyd",
        abstract: "Record every smiley-button press durably in SQLite.",
        discussion: """
            Reads the buttons named in the configuration (GPIO lines, the keyboard keys 1..N, or a \
            replayed gpiomon trace), turns edges into presses (debounce, held buttons, misuse rules) \
            and commits each press to the database before acknowledging it.

            Exit status: 0 after a clean stop (SIGTERM, SIGINT, q on the keyboard, end of a replay); \
            64 bad usage; 65 malformed trace or newer database; 66 missing trace; 69 input unavailable \
            (GPIO line or chip missing, line busy); 73 database not writable; 74 I/O error; 77 no permission \
            to open the GPIO device; 78 bad configuration (also an ambiguous GPIO line name, or an upstream token file open to \
            other users).

            --sync-once sends every unsynced sample upstream in the foreground and exits, as \
            `smileyctl sync` does when no daemon runs (it runs this): progress on a terminal, a final \
            report (--format table or json), exit status 0 backlog empty; 65 samples left in \
            quarantined batches (fix the cause, then --retry-quarantined); 74 database error; 75 gave \
            up at --timeout, or another uploader holds the sync lock; 78 bad configuration (no \
            upstream:, or a token file open to others).

            Under systemd (smileyd.service, Type=notify) it reports READY=1 once the database is \
            open and the input is running, sends WATCHDOG=1 at half of WatchdogSec=, writes \
            status.json to $RUNTIME_DIRECTORY and logs with journal priorities: \
            `journalctl -u smileyd`.

            Files: /etc/smiley/smiley.yaml (configuration); /var/lib/smiley/smiley.sqlite (the \
            presses; back it up with `sqlite3 /var/lib/smiley/smiley.sqlite ".backup FILE"` while \
            smileyd runs); /run/smiley/status.json (what `smileyctl status` shows).

            Environment: SMILEY_CONFIG (configuration file when --config is not given); \
            RUNTIME_DIRECTORY (default runtime-directory, else /run/smiley); NOTIFY_SOCKET, \
            WATCHDOG_USEC, JOURNAL_STREAM (set by systemd).

            Examples:
              smileyd --check-config
                  Validate /etc/smiley/smiley.yaml and print the effective configuration.
              smileyd --config examples/keyboard.yaml
                  Try it without buttons: the keys 1..4 press, q stops.
              smileyd --replay trace.txt --replay-speed max
                  Replay a trace recorded with gpiomon, as fast as possible.
              smileyd --sync-once --timeout 600
                  Send the backlog upstream now (the daemon stopped), giving up after 10 minutes.
              systemctl restart smileyd
                  Apply a changed configuration on an installed terminal.
            """,
        version: Smileyd.version)

    @Option(name: .long, help: ArgumentHelp("Configuration file.", discussion: "Default: $SMILEY_CONFIG, else \(Configuration.defaultPath).", valueName: "path"))
    var config: String?

    @Flag(name: .long, help: "Validate the configuration, print the effective configuration and exit.")
    var checkConfig = false

    @Option(name: .long, help: ArgumentHelp("Replay a trace recorded with gpiomon instead of the configured input.", valueName: "file"))
    var replay: String?

    @Option(name: .long, help: ArgumentHelp("Wall time of the trace's first edge, ISO 8601 with offset (default: now).", valueName: "time"))
    var replayStart: String?

    @Option(name: .long, help: ArgumentHelp("Replay speed: a factor (1 = real time) or max.", valueName: "N|max"))
    var replaySpeed: String?

    @Option(name: .long, help: ArgumentHelp("Least important messages to log: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    @Flag(name: .long, help: "Send every unsynced sample upstream now, in the foreground, and exit (smileyctl sync without a daemon).")
    var syncOnce = false

    @Option(name: .long, help: ArgumentHelp("With --sync-once: give up after this many seconds (default 300).", valueName: "seconds"))
    var timeout: Int?

    @Flag(name: .long, help: "With --sync-once: put quarantined batches back in line first (same keys, same samples).")
    var retryQuarantined = false

    @Option(name: .long, help: ArgumentHelp("With --sync-once: the final report for people (table) or scripts (json).", valueName: "table|json"))
    var format: String?

    /// The program named at the start of error lines: smileyctl passes its own name when it runs
    /// `--sync-once` for `smileyctl sync`, so its messages read as before.
    @Option(name: .long, help: .hidden)
    var calledBy: String?

    public init() {}

    public func validate() throws {
        if let calledBy, !["smileyd", "smileyctl"].contains(calledBy) {
            throw ValidationError("--called-by must be smileyd or smileyctl (got \"\(calledBy.prefix(40))\")")
        }
        guard syncOnce else {
            let stray = [(timeout != nil, "--timeout"), (retryQuarantined, "--retry-quarantined"), (format != nil, "--format")]
                .filter(\.0).map(\.1)
            if !stray.isEmpty {
                throw ValidationError("\(stray.joined(separator: ", ")) go\(stray.count == 1 ? "es" : "") with --sync-once only")
            }
            return
        }
        let conflicting = [(checkConfig, "--check-config"), (replay != nil, "--replay"), (replayStart != nil, "--replay-start"),
                           (replaySpeed != nil, "--replay-speed")].filter(\.0).map(\.1)
        if !conflicting.isEmpty {
            throw ValidationError("--sync-once does not go with \(conflicting.joined(separator: ", "))")
        }
        if let timeout, timeout <= 0 {
            throw ValidationError("--timeout must be a number of seconds above 0")
        }
        if let format, SyncReportFormat(rawValue: format) == nil {
            throw ValidationError("--format must be table or json (got \"\(format.prefix(40))\")")
        }
    }

    public func run() async throws {
        // Whatever started it (a shell with umask 022), the database, its -wal/-shm and status.json
        // are for the smiley group only: rw for the daemon, r for the group, nothing for others.
        umask(0o027)
        let environment = ProcessInfo.processInfo.environment
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical (got \"\(logLevel)\")")
        }
        let speed = try parseSpeed()
        let startMs = try parseStart()

        do {
            if syncOnce {
                try await syncInForeground(environment: environment)
            } else {
                try await start(environment: environment, level: level, speed: speed, startMs: startMs)
            }
        } catch let error as any UserFacingError {
            // The one place smileyd reports a failure: a line for a person, a sysexits status.
            Self.fail(error.description, code: error.exitCode, program: calledBy ?? "smileyd")
        }
    }

    /// `--sync-once`: the backlog upstream now, the final report on standard output, the
    /// outcome's exit status.
    private func syncInForeground(environment: [String: String]) async throws {
        let path = ConfigLoader.resolvePath(option: config, environment: environment)
        let configuration = try ConfigLoader.load(path: path, environment: environment, requireReplayFile: false)
        var logger = Logger(label: "smileyd-sync")
        logger.logLevel = .critical
        let progress = ProgressLine.standardError
        let sync = ForegroundSync(configuration: configuration, configPath: path, timeoutSeconds: timeout ?? 300,
                                  retryQuarantined: retryQuarantined, userAgent: "smileyd/\(Smileyd.version)",
                                  progress: progress, logger: logger)
        let outcome = try await sync.run()
        progress.clear()
        print(outcome.report(format.flatMap(SyncReportFormat.init(rawValue:)) ?? .table))
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    /// Everything after the options: configuration, input, indicators, then the daemon itself.
    private func start(environment: [String: String], level: Logger.Level, speed: Double??, startMs: Int64?) async throws {
        let path = ConfigLoader.resolvePath(option: config, environment: environment)
        let configuration = try ConfigLoader.load(path: path, environment: environment, requireReplayFile: replay == nil)
        if checkConfig {
            print("# \(path): valid")
            print(configuration.rendered(), terminator: "")
            return
        }

        LoggingSystem.bootstrap { label in DaemonLogHandler(label: label, level: level) }
        let logger = Logger(label: "smileyd")

        let source = try InputFactory.make(configuration: configuration, replayFile: replay, replaySpeed: speed,
                                           replayStartMs: startMs, onWarning: { logger.warning("\($0)") })
        if let gpio = source as? GPIOSource {
            logger.info("gpio lines requested: \(gpio.summary)")
        }
        let indicators = try IndicatorFactory.make(configuration: configuration)
        for line in [indicators.ack, indicators.misuse].compactMap({ $0 }) {
            logger.info("indicator line requested: \(line.description)")
        }
        if source is KeyboardSource {
            let keys = configuration.buttons.enumerated().map { "\($0.offset + 1)=\($0.element.name)" }
            FileHandle.standardError.write(Data("Smiley keyboard buttons: \(keys.joined(separator: " ")); q quits.\n".utf8))
        }
        var options = Smileyd.Options(ackLine: indicators.ack, misuseLine: indicators.misuse)
        options.releaseStartupPages = true
        try await Smileyd.run(configuration: configuration, source: source, logger: logger, options: options)
    }

    private func parseSpeed() throws -> Double?? {
        guard let replaySpeed else { return nil }
        if replaySpeed == "max" { return .some(nil) }
        guard let value = Double(replaySpeed), value > 0, value.isFinite else {
            throw ValidationError("--replay-speed must be a number above 0 (1 = real time) or max (got \"\(replaySpeed)\")")
        }
        return .some(value)
    }

    private func parseStart() throws -> Int64? {
        guard let replayStart else { return nil }
        do {
            return try RFC3339.ms(reading: replayStart)
        } catch {
            throw ValidationError("--replay-start must be an RFC 3339 time with an offset, e.g. 2026-11-22T09:00:00+02:00: \(error)")
        }
    }

    /// Prints one clear line and exits with a sysexits status: no stack trace.
    static func fail(_ message: String, code: Int32, program: String = "smileyd") -> Never {
        FileHandle.standardError.write(Data("\(program): error: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

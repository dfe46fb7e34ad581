import ArgumentParser
import Foundation
import Logging
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyStore
import SmileySync

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
            64 bad usage; 65 malformed trace or newer database; 66 missing trace; 69 input unavailable; \
            73 database not writable; 74 I/O error; 78 bad configuration (including an upstream token \
            file open to other users).
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

    public init() {}

    public func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical (got \"\(logLevel)\")")
        }
        let speed = try parseSpeed()
        let start = try parseStart()

        let path = ConfigLoader.resolvePath(option: config, environment: environment)
        let configuration: Configuration
        do {
            configuration = try ConfigLoader.load(path: path, environment: environment, requireReplayFile: replay == nil)
        } catch {
            Self.fail(error.description, code: error.exitCode)
        }
        if checkConfig {
            print("# \(path): valid")
            print(configuration.rendered(), terminator: "")
            return
        }

        LoggingSystem.bootstrap { label in DaemonLogHandler(label: label, level: level) }
        let logger = Logger(label: "smileyd")

        let source: any EdgeSource
        do {
            source = try InputFactory.make(configuration: configuration, replayFile: replay,
                                           replaySpeed: speed, replayStartMs: start)
        } catch {
            Self.fail(error.description, code: error.exitCode)
        }
        if source is KeyboardSource {
            let keys = configuration.buttons.enumerated().map { "\($0.offset + 1)=\($0.element.name)" }
            FileHandle.standardError.write(Data("Smiley keyboard buttons: \(keys.joined(separator: " ")); q quits.\n".utf8))
        }
        do {
            try await Smileyd.run(configuration: configuration, source: source, logger: logger)
        } catch let error as StoreError {
            Self.fail(error.description, code: error.exitCode)
        } catch let error as InputError {
            Self.fail(error.description, code: error.exitCode)
        } catch let error as SyncSetupError {
            Self.fail(error.description, code: error.exitCode)
        } catch let error as SyncStoreError {
            Self.fail(error.description, code: 74)
        }
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
        guard let ms = ISOTime.parseMs(replayStart) else {
            throw ValidationError("--replay-start must be an ISO 8601 time with an offset, e.g. 2026-11-22T09:00:00+02:00 (got \"\(replayStart)\")")
        }
        return ms
    }

    /// Prints one clear line and exits with a sysexits status: no stack trace.
    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("smileyd: error: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

/// ISO 8601 instants as users type them.
enum ISOTime {
    static func parseMs(_ text: String) -> Int64? {
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) {
                return Int64((date.timeIntervalSince1970 * 1000).rounded())
            }
        }
        return nil
    }
}

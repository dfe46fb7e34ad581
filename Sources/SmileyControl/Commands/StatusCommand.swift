import ArgumentParser
import Foundation
import SmileyCore
import SmileyStore

/// `smileyctl status`: is the terminal working, and how is today going.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Presses today, the last press, warnings, the daemon and the database.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Output format: table for people, json for scripts.")
    var format: OutputFormat = .table

    func run() throws {
        try reportingErrors { () throws(ControlError) in
            let context = try ControlContext.load(configOption: global.config)
            let report = try StatusReport.gather(context: context)
            switch format {
            case .json: print(report.json.rendered())
            case .table: print(report.text(terminal: .standardOutput()), terminator: "")
            }
        }
    }
}

/// Everything `status` shows, gathered once.
struct StatusReport {
    var today: LocalDay
    var zone: Zone
    var tally: Tally
    var last: StoredSample?
    var samples: Int
    var unsynced: Int
    var databasePath: String
    var databaseBytes: Int64
    var daemon: DaemonStatus?
    /// The upstream sync, when `upstream:` is configured.
    var upstream: UpstreamReport?

    static func gather(context: ControlContext) throws(ControlError) -> StatusReport {
        let reader = try context.reader()
        do {
            let totals = try reader.totals()
            var report = StatusReport(
                today: context.today, zone: context.zone,
                // Today as summary counts it: presses whose own clock showed today.
                tally: try reader.tally(localRange: ReportPeriod.day(context.today).localRangeMs, survey: nil,
                                        buttons: context.configuration.buttons.count),
                last: try reader.lastSample(), samples: totals.samples, unsynced: totals.unsynced,
                databasePath: reader.path, databaseBytes: reader.sizeOnDisk(),
                daemon: DaemonStatus.readLive(runtimeDirectory: context.configuration.runtimeDirectory))
            report.upstream = try UpstreamReport.gather(context: context, reader: reader, daemon: report.daemon)
            return report
        } catch {
            throw ControlError(error)
        }
    }

    var flaggedToday: Int { MisuseReason.allCases.reduce(0) { $0 + tally.flaggedTotal($1) } }

    var json: JSONValue {
        var daemonValue: JSONValue = .null
        if let daemon {
            daemonValue = .object([
                ("pid", .int(Int(daemon.pid))), ("version", .string(daemon.version)),
                ("startedAt", .string(RFC3339.string(ms: daemon.startedAtMs))), ("input", .string(daemon.input)),
                ("committedPresses", .int(daemon.committedPresses)),
                ("heldButtons", .array(daemon.heldButtons.map { .string($0) })),
                ("floodingButtons", .array((daemon.floodingButtons ?? []).map { .string($0) })),
                ("clockSynchronized", .bool(daemon.clockSynchronized)),
                ("storeFailure", daemon.storeFailure.map { .string($0) } ?? .null),
                ("storePending", .int(daemon.storePending)),
                ("checkpointFailure", daemon.checkpointFailure.map { .string($0) } ?? .null),
            ])
        }
        var lastValue: JSONValue = .null
        if let last {
            lastValue = .object([
                ("id", .string(last.id.uuidString.lowercased())), ("button", .string(last.buttonName)),
                ("recordedAt", .string(RFC3339.string(ms: last.recordedAtMs))),
                ("misuse", last.misuse.map { .string($0.rawValue) } ?? .null),
                ("clock", .string(last.clockState)),
            ])
        }
        return .object([
            ("day", .string(today.description)),
            ("timezone", .string(zone.identifier)),
            ("pressesToday", .int(tally.acceptedTotal + flaggedToday)),
            ("acceptedToday", .int(tally.acceptedTotal)),
            ("misuseToday", .object(MisuseReason.allCases.map { ($0.rawValue, .int(tally.flaggedTotal($0))) })),
            ("heldWarningsToday", .int(tally.held)),
            ("lastPress", lastValue),
            ("daemon", daemonValue),
            ("database", .object([
                ("path", .string(databasePath)), ("bytes", .int(Int(databaseBytes))),
                ("samples", .int(samples)), ("unsynced", .int(unsynced)),
            ])),
            ("upstream", upstream?.json ?? .null),
        ])
    }

    func text(terminal: Terminal) -> String {
        var lines: [String] = []
        if let daemon {
            var line = "smileyd: " + terminal.green("running") + " (pid \(daemon.pid), input \(daemon.input), since \(RFC3339.plainLocal(ms: daemon.startedAtMs, zone: zone)))"
            if !daemon.clockSynchronized { line += " — " + terminal.yellow("clock not synchronized yet") }
            lines.append(line)
            if let failure = daemon.storeFailure {
                lines.append("  " + terminal.red("STORE FAILING: \(failure)"))
            }
            if let failure = daemon.checkpointFailure {
                lines.append("  " + terminal.yellow("WAL checkpoint failing (presses still commit; the log grows): \(failure)"))
            }
            if !daemon.heldButtons.isEmpty {
                lines.append("  " + terminal.yellow("Held down now: \(daemon.heldButtons.joined(separator: ", ")) — stuck button?"))
            }
            if let flooding = daemon.floodingButtons, !flooding.isEmpty {
                lines.append("  " + terminal.red("Flooding now: \(flooding.joined(separator: ", ")) — presses far faster than a person's "
                    + "(stuck contact? a child?); stored flagged, other buttons counted as usual"))
            }
        } else {
            lines.append("smileyd: " + terminal.yellow("not running") + " (no live status in the runtime directory)")
        }
        let interval = tally.flaggedTotal(.interval)
        let simultaneous = tally.flaggedTotal(.simultaneous)
        lines.append("Today (\(today), \(zone.identifier)): \(tally.acceptedTotal + flaggedToday) presses, \(tally.acceptedTotal) accepted, \(flaggedToday) flagged (\(interval) too soon, \(simultaneous) simultaneous)")
        if tally.held > 0 {
            lines.append("Held warnings today: " + terminal.yellow("\(tally.held)"))
        } else {
            lines.append("Held warnings today: 0")
        }
        if let last {
            let state = last.misuse.map { "flagged \($0.rawValue)" } ?? "accepted"
            let clock = last.clockState == "synchronized" ? "" : " (clock \(last.clockState))"
            lines.append("Last press: \(RFC3339.plainLocal(ms: last.recordedAtMs, zone: zone)) \(last.buttonName), \(state)\(clock)")
        } else {
            lines.append("Last press: none yet")
        }
        lines.append("Database: \(databasePath), \(Self.bytes(databaseBytes)), \(samples) samples, \(unsynced) not yet synced")
        if let upstream { lines.append(contentsOf: upstream.lines(terminal: terminal, zone: zone)) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func bytes(_ value: Int64) -> String {
        if value < 1024 { return "\(value) B" }
        if value < 1024 * 1024 { return String(format: "%.1f KiB", Double(value) / 1024) }
        return String(format: "%.1f MiB", Double(value) / 1024 / 1024)
    }
}

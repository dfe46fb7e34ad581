import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `smileyctl`: read-only staff tool for a Smiley terminal.
public struct SmileyctlCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "smileyctl",
        abstract: "See how the day went on this Smiley terminal.",
        discussion: """
            Reads the terminal's database read-only: it never blocks or disturbs smileyd (sync asks the \
            daemon to send, or runs smileyd --sync-once when no daemon runs).

            Exit status: 0 success; 64 bad usage; 66 no database yet; 73 cannot write a report; \
            74 I/O error; 75 every staff session slot taken (ssh-gate); 77 refused by ssh-gate; \
            78 bad configuration; sync also 65, 69 and 75 (see smileyctl sync --help).

            It reads the same configuration as smileyd (--config, else $SMILEY_CONFIG, else \
            /etc/smiley/smiley.yaml) to find the database (/var/lib/smiley/smiley.sqlite) and the \
            daemon's status (/run/smiley/status.json). Members of the smiley group may read both; \
            add a person's own account with `adduser NAME smiley`. Over SSH, staff log in as \
            smiley-staff, whose key runs only `smileyctl ssh-gate` (see smileyctl ssh-gate --help).

            Examples:
              smileyctl status
                  Is the terminal working, and how is today going.
              smileyctl summary --day yesterday
                  Yesterday's counts per button and the satisfaction index.
              smileyctl summary --format json
                  Today's summary for scripts.
              ssh kiosk smileyctl status
                  The same from a laptop.
            """,
        version: "0.1.0",
        subcommands: [StatusCommand.self, SummaryCommand.self, ExportCommand.self, TailCommand.self,
                      ReportCommand.self, SSHGateCommand.self, SyncCommand.self])

    public init() {}

    /// Runs smileyctl with the process's arguments (`--week` and `--month` may come without a value).
    public static func main() async {
        unblockSignals()
        await main(OptionalValueOptions.normalize(Array(CommandLine.arguments.dropFirst())))
    }

    /// A parent may have started smileyctl with signals blocked (a thread of a test runner, a
    /// service manager's helper): Ctrl-C, SIGTERM, SIGHUP and a closed pipe must end it all the same.
    static func unblockSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&set, signal) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file.", discussion: "Default: $SMILEY_CONFIG, else /etc/smiley/smiley.yaml.", valueName: "path"))
    var config: String?
}

/// Runs a subcommand body, turning a ``ControlError`` into one line on stderr and its status.
func reportingErrors(_ body: () throws(ControlError) -> Void) throws {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("smileyctl: error: \(error.description)\n".utf8))
        throw ExitCode(error.exitCode)
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

import ArgumentParser
import Foundation

/// `smileyctl`: read-only staff tool for a Smiley terminal.
public struct SmileyctlCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "smileyctl",
        abstract: "See how the day went on this Smiley terminal.",
        discussion: """
            Reads the terminal's database read-only: it never blocks or disturbs smileyd (sync asks the \
            daemon to send, or sends by itself when no daemon runs).

            Exit status: 0 success; 64 bad usage; 66 no database yet; 74 I/O error; 78 bad configuration; \
            sync also 65, 69 and 75 (see smileyctl sync --help).
            """,
        version: "0.1.0",
        subcommands: [StatusCommand.self, SummaryCommand.self, SyncCommand.self])

    public init() {}
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

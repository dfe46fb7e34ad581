import ArgumentParser
import Foundation
import SmileyConfig
import SmileyStore
import SmileySyncControl

/// `smileyctl sync`: send every unsynced sample upstream now.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send every unsynced sample upstream now; exit 0 once the backlog is empty.",
        discussion: """
            With smileyd running, asks it through its control socket (<runtime-directory>/control.sock); \
            otherwise runs `smileyd --sync-once` in the foreground (e.g. before swapping the SD card), \
            found beside smileyctl, else at /usr/bin/smileyd. The samples unsynced when the command \
            starts are what it waits for. Progress is shown on a terminal.

            Exit status: 0 backlog empty; 64 bad usage; 65 samples left in quarantined batches (the \
            receiver refused them; fix the cause, then --retry-quarantined); 69 the daemon does not \
            answer, or no daemon runs and smileyd cannot be found or started; 74 database error; 75 gave \
            up at --timeout (the reason is printed), or another uploader holds the sync lock; 78 bad \
            configuration (no upstream:, or a token file open to others).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Give up after this many seconds.", valueName: "seconds"))
    var timeout: Int = 300

    @Flag(name: .long, help: "Put quarantined batches back in line first (same keys, same samples).")
    var retryQuarantined = false

    @Option(name: .long, help: "Output format of the final report: table for people, json for scripts.")
    var format: OutputFormat = .table

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a number of seconds above 0") }
    }

    func run() async throws {
        let outcome: SyncOutcome
        do {
            switch try await perform() {
            case .outcome(let result): outcome = result
            case .foreground(let status): throw ExitCode(status)
            }
        } catch let error as ControlError {
            FileHandle.standardError.write(Data("smileyctl: error: \(error.description)\n".utf8))
            throw ExitCode(error.exitCode)
        }
        progress.clear()
        print(outcome.report(SyncReportFormat(rawValue: format.rawValue) ?? .table))
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    var progress: ProgressLine { ProgressLine.standardError }

    /// How the request ended: the daemon's outcome, or the exit status of `smileyd --sync-once`
    /// (which printed its own report).
    enum Ending {
        case outcome(SyncOutcome)
        case foreground(status: Int32)
    }

    func perform() async throws(ControlError) -> Ending {
        let context = try ControlContext.load(configOption: global.config)
        guard context.configuration.upstream != nil else {
            throw ControlError("no upstream: section in \(context.configPath): there is nowhere to send samples to; add upstream: with url and token-file",
                               exitCode: 78)
        }
        let deadline = MonotonicDeadline(seconds: timeout)
        let socket = ControlProtocol.socketPath(runtimeDirectory: context.configuration.runtimeDirectory)
        let client: ControlClient
        do {
            client = try ControlClient(path: socket)
        } catch .noDaemon {
            if let busy = SyncLock.heldElsewhere(database: context.configuration.database) {
                // A daemon holds the sync lock but its socket was not up yet (it is starting):
                // give it a moment, then ask it.
                for _ in 0..<50 {
                    try? await Task.sleep(for: .milliseconds(100))
                    if let client = try? ControlClient(path: socket) {
                        return .outcome(try throughDaemon(client, deadline: deadline))
                    }
                }
                throw ControlError("\(busy.description); wait for it, or stop it", exitCode: 75)
            }
            return .foreground(status: try inForeground(context, noDaemon: socket))
        } catch {
            throw ControlError(error.description, exitCode: 69)
        }
        return .outcome(try throughDaemon(client, deadline: deadline))
    }

    /// Asks the running daemon and follows its progress lines.
    func throughDaemon(_ client: ControlClient, deadline: MonotonicDeadline) throws(ControlError) -> SyncOutcome {
        var last = SyncProgress(remaining: 0, quarantined: 0, sent: 0)
        do {
            try client.send(ControlRequest(command: "sync", retryQuarantined: retryQuarantined))
            while true {
                guard let reply = try client.nextReply(deadlineNs: deadline.ns) else {
                    throw ControlError("the daemon closed the control connection before the backlog was empty (did it stop?)", exitCode: 69)
                }
                if reply.type == "error" {
                    throw ControlError("the daemon refused the request: \(reply.message ?? "no reason given")", exitCode: 69)
                }
                guard let step = reply.progress else { continue }
                last = step
                if let failure = step.failure { throw ControlError("the daemon cannot sync: \(failure)", exitCode: 74) }
                progress.show(step)
                if step.finished { return SyncOutcome(progress: step, via: "daemon", timeoutSeconds: timeout, timedOut: false) }
            }
        } catch ControlClient.Failure.timedOut {
            return SyncOutcome(progress: last, via: "daemon", timeoutSeconds: timeout, timedOut: true)
        } catch let failure as ControlClient.Failure {
            throw ControlError(failure.description, exitCode: 69)
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError("\(error)", exitCode: 74)
        }
    }

    /// No daemon answers: `smileyd --sync-once` syncs in the foreground (smileyctl never writes
    /// the database); its exit status.
    func inForeground(_ context: ControlContext, noDaemon socket: String) throws(ControlError) -> Int32 {
        let smileyd = try SyncOnceProcess.locate(noDaemon: socket)
        var arguments = ["--sync-once", "--config", context.configPath, "--timeout", String(timeout),
                         "--format", format.rawValue, "--called-by", "smileyctl"]
        if retryQuarantined { arguments.append("--retry-quarantined") }
        return try SyncOnceProcess.run(smileyd, arguments: arguments)
    }
}

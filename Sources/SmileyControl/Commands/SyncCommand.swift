import SmileyPlatform
import ArgumentParser
import Foundation
import GRDB
import Logging
import SmileyConfig
import SmileyStore
import SmileySync
#if canImport(Glibc)
import Glibc
#endif

/// `smileyctl sync`: send every unsynced sample upstream now.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send every unsynced sample upstream now; exit 0 once the backlog is empty.",
        discussion: """
            With smileyd running, asks it through its control socket (<runtime-directory>/control.sock); \
            otherwise syncs in the foreground by itself (e.g. before swapping the SD card). The samples \
            unsynced when the command starts are what it waits for. Progress is shown on a terminal.

            Exit status: 0 backlog empty; 64 bad usage; 65 samples left in quarantined batches (the \
            receiver refused them; fix the cause, then --retry-quarantined); 69 the daemon does not \
            answer; 74 database error; 75 gave up at --timeout (the reason is printed); 78 bad \
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
            outcome = try await perform()
        } catch {
            let failure: ControlError = switch error {
            case let error as ControlError: error
            case let blocked as ForegroundBlocked: blocked.error
            default: ControlError("\(error)", exitCode: 74)
            }
            FileHandle.standardError.write(Data("smileyctl: error: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
        progress.clear()
        switch format {
        case .json: print(outcome.json.rendered())
        case .table: print(outcome.text)
        }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    var progress: ProgressLine { ProgressLine.standardError }

    func perform() async throws -> SyncOutcome {
        let context = try ControlContext.load(configOption: global.config)
        guard context.configuration.upstream != nil else {
            throw ControlError("no upstream: section in \(context.configPath): there is nowhere to send samples to; add upstream: with url and token-file",
                               exitCode: 78)
        }
        let deadline = MonotonicDeadline(seconds: timeout)
        let socket = ControlProtocol.socketPath(runtimeDirectory: context.configuration.runtimeDirectory)
        do {
            let client = try ControlClient(path: socket)
            return try throughDaemon(client, deadline: deadline)
        } catch ControlClient.Failure.noDaemon {
            do {
                return try await inForeground(context, deadline: deadline)
            } catch let error as ForegroundBlocked {
                // A daemon holds the sync lock but its socket was not up yet (it is starting):
                // give it a moment, then ask it.
                for _ in 0..<50 {
                    try? await Task.sleep(for: .milliseconds(100))
                    if let client = try? ControlClient(path: socket) {
                        return try throughDaemon(client, deadline: deadline)
                    }
                }
                throw error.error
            }
        } catch let failure as ControlClient.Failure {
            throw ControlError(failure.description, exitCode: 69)
        } catch let error as ControlError {
            throw error
        } catch let blocked as ForegroundBlocked {
            throw blocked.error
        } catch {
            throw ControlError("\(error)", exitCode: 74)
        }
    }

    /// The sync lock is held by another process (the daemon, if it is starting).
    struct ForegroundBlocked: Error {
        var error: ControlError
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

    /// No daemon answers: run an uploader here until the backlog is empty or time is up.
    func inForeground(_ context: ControlContext, deadline: MonotonicDeadline) async throws -> SyncOutcome {
        let configuration = context.configuration
        let pool: DatabasePool
        do {
            pool = try SmileyDatabase.openForWriting(path: configuration.database)
        } catch {
            throw ControlError(error)
        }
        var logger = Logger(label: "smileyctl-sync")
        logger.logLevel = .critical
        let setup: SyncSetup
        do {
            setup = try SyncSetup.make(configuration: configuration, pool: pool, userAgent: "smileyctl/0.1.0", logger: logger)
        } catch {
            throw ControlError(error.description, exitCode: error.exitCode)
        }
        defer { Task { [client = setup.client] in await client.shutdown() } }
        let lock: SyncLock
        do {
            lock = try SyncLock(database: configuration.database)
        } catch {
            throw ForegroundBlocked(error: ControlError("\(error.description); wait for it, or stop it", exitCode: 75))
        }
        // A daemon without upstream may still be recording presses: then recent rows settle first.
        let daemonLive = DaemonStatus.readLive(runtimeDirectory: configuration.runtimeDirectory) != nil
        let horizon: Int64
        do {
            horizon = daemonLive ? 0 : try await setup.store.maxSampleRowID()
        } catch {
            throw ControlError(error.description, exitCode: 74)
        }
        let settings = SyncSetup.uploaderSettings(configuration, holdBoot: nil)
        let wallNowMs: @Sendable () -> Int64 = { WallClock.nowMs() }
        let retention = RetentionService(store: setup.store, retentionDays: settings.retentionDays,
                                         databasePath: settings.databasePath, clockSynchronized: { true },
                                         wallNowMs: wallNowMs, logger: logger)
        let uploader = Uploader(
            store: setup.store, sender: setup.client, settings: settings, url: setup.settings.url,
            settledHorizon: horizon, wallNowMs: wallNowMs, logger: logger, maintenance: retention)
        let runner = Task { await uploader.run() }
        let maintainer = Task { try? await retention.run() }
        let watcher = Task {
            guard let netlink = try? NetlinkWatcher() else { return }
            for try await change in netlink.changes() where change.mayHaveComeUp { await uploader.networkChanged() }
        }
        defer {
            runner.cancel()
            maintainer.cancel()
            watcher.cancel()
        }
        let stream = await uploader.requestSync(retryQuarantined: retryQuarantined)
        let progress = self.progress
        let timeout = self.timeout
        let result: SyncOutcome = await withTaskGroup(of: SyncOutcome?.self) { group in
            group.addTask {
                var last = SyncProgress(remaining: 0, quarantined: 0, sent: 0)
                for await step in stream {
                    last = step
                    progress.show(step)
                    if step.finished { return SyncOutcome(progress: step, via: "foreground", timeoutSeconds: timeout, timedOut: false) }
                }
                return Task.isCancelled ? nil : SyncOutcome(progress: last, via: "foreground", timeoutSeconds: timeout, timedOut: false)
            }
            group.addTask {
                try? await Task.sleep(for: .nanoseconds(deadline.remainingNs))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            let status = await uploader.status
            let remaining = max(0, status.backlog - status.quarantinedSamples)
            return SyncOutcome(progress: SyncProgress(remaining: remaining, quarantined: status.quarantinedSamples,
                                                      sent: status.sentSinceStart, lastError: status.lastError,
                                                      nextAttemptAtMs: status.nextAttemptAtMs),
                               via: "foreground", timeoutSeconds: timeout, timedOut: true)
        }
        withExtendedLifetime(lock) {}
        if let failure = result.progress.failure { throw ControlError("the sync cannot use the database: \(failure)", exitCode: 74) }
        return result
    }
}

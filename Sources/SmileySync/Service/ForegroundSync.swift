import Foundation
import GRDB
import Logging
import SmileyConfig
import SmileyPlatform
import SmileyStore

/// `smileyd --sync-once`, what `smileyctl sync` runs when no daemon answers: an uploader of its own
/// (with retention and the netlink watcher) until every sample unsynced at the start is synced or
/// quarantined, or the timeout. It holds the sync lock meanwhile, so a daemon that starts waits.
public struct ForegroundSync: Sendable {
    public var configuration: SmileyConfig.Configuration
    /// The configuration file, for messages.
    public var configPath: String
    public var timeoutSeconds: Int
    /// Put quarantined batches back in line first (same keys, same samples).
    public var retryQuarantined: Bool
    public var userAgent: String
    public var progress: ProgressLine
    public var logger: Logger

    public init(configuration: SmileyConfig.Configuration, configPath: String, timeoutSeconds: Int, retryQuarantined: Bool,
                userAgent: String, progress: ProgressLine, logger: Logger) {
        self.configuration = configuration
        self.configPath = configPath
        self.timeoutSeconds = timeoutSeconds
        self.retryQuarantined = retryQuarantined
        self.userAgent = userAgent
        self.progress = progress
        self.logger = logger
    }

    /// Syncs until the backlog is empty or time is up; the outcome says which (its exit status
    /// 0, 65 or 75). Throws when the sync cannot start (78 configuration, 75 the sync lock is
    /// taken, the database's own status) or cannot use the database (74).
    public func run() async throws(SyncSetupError) -> SyncOutcome {
        let deadline = MonotonicDeadline(seconds: timeoutSeconds)
        guard configuration.upstream != nil else {
            throw SyncSetupError("no upstream: section in \(configPath): there is nowhere to send samples to; add upstream: with url and token-file",
                                 exitCode: 78)
        }
        let pool: DatabasePool
        do {
            pool = try SmileyDatabase.openForWriting(path: configuration.database)
        } catch {
            throw SyncSetupError(error.description, exitCode: error.exitCode)
        }
        let setup = try SyncSetup.make(configuration: configuration, pool: pool, userAgent: userAgent, logger: logger)
        do {
            let result = try await sync(setup: setup, deadline: deadline)
            await setup.client.shutdown()
            return result
        } catch {
            await setup.client.shutdown()
            throw error
        }
    }

    private func sync(setup: SyncSetup, deadline: MonotonicDeadline) async throws(SyncSetupError) -> SyncOutcome {
        let lock: SyncLock
        do {
            lock = try SyncLock(database: configuration.database)
        } catch {
            throw SyncSetupError("\(error.description); wait for it, or stop it", exitCode: 75)
        }
        // A daemon without upstream may still be recording presses: then recent rows settle first.
        let daemonLive = DaemonStatus.readLive(runtimeDirectory: configuration.runtimeDirectory) != nil
        let horizon: Int64
        do {
            horizon = daemonLive ? 0 : try await setup.store.maxSampleRowID()
        } catch {
            throw SyncSetupError(error.description, exitCode: 74)
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
        let timeout = timeoutSeconds
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
        if let failure = result.progress.failure {
            throw SyncSetupError("the sync cannot use the database: \(failure)", exitCode: 74)
        }
        return result
    }
}

import Logging
import ServiceLifecycle
import SmileyCore
import SmileyStore

/// The uploader as a service of smileyd's ServiceGroup (built by ``SyncServiceBuilder``): its
/// event loop, the netlink watcher, the heartbeat and the status relay. Holds the sync lock while
/// it runs.
public struct SyncService: Service {
    let uploader: Uploader
    let setup: SyncSetup
    let relay: StatusRelay
    /// The daemon's hooks and configuration, as the builder got them.
    let hooks: SyncServiceBuilder

    init(uploader: Uploader, setup: SyncSetup, relay: StatusRelay, hooks: SyncServiceBuilder) {
        self.uploader = uploader
        self.setup = setup
        self.relay = relay
        self.hooks = hooks
    }

    var client: UploadClient { setup.client }
    var database: String { hooks.configuration.database }
    var logger: Logger { hooks.logger }
    var publish: @Sendable (SyncStatus) async -> Void { hooks.publish }
    var heartbeatInterval: Duration? {
        setup.settings.heartbeatSeconds > 0 ? .seconds(setup.settings.heartbeatSeconds) : nil
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                let lock = try await acquireLock()
                await withDiscardingTaskGroup { group in
                    group.addTask { await uploader.run() }
                    group.addTask {
                        // Ends when the task is cancelled (graceful shutdown).
                        for await status in relay.stream { await publish(status) }
                    }
                    group.addTask { await watchForNetwork() }
                    if let heartbeatInterval {
                        group.addTask { await heartbeats(every: heartbeatInterval) }
                    }
                }
                withExtendedLifetime(lock) {}
            }
        } catch is CancellationError {
            // Graceful shutdown.
        }
        await client.shutdown()
    }

    /// The sync lock; while a foreground `smileyctl sync` holds it, wait (checking every 2 s on the
    /// builder's clock: the only timer here, and only in that case).
    func acquireLock() async throws -> SyncLock {
        var warned = false
        while true {
            do {
                return try SyncLock(database: database)
            } catch SyncLock.Failure.busy(let path, let holder) {
                if !warned {
                    warned = true
                    logger.warning("another uploader holds the sync lock; presses are recorded, sending waits for it",
                                   metadata: ["lock": "\(path)", "holder": "\(holder.map(String.init) ?? "unknown")"])
                }
                try await hooks.clock.sleep(for: .seconds(2), tolerance: nil)
            } catch {
                // Presses are still recorded; the sync waits for a restart (see the log and status).
                logger.error("the sync cannot start: \(error)")
                relay.yield({ var status = SyncStatus(url: client.endpoint.baseURL); status.lastError = "the sync cannot start: \(error)"; return status }())
                try await gracefulShutdown()
                throw CancellationError()
            }
        }
    }

    func watchForNetwork() async {
        let watcher: NetlinkWatcher
        do {
            watcher = try NetlinkWatcher()
        } catch {
            logger.warning("cannot watch the network (netlink); a returning network is noticed at the next retry",
                           metadata: ["error": "\(error)"])
            return
        }
        do {
            for try await change in watcher.changes() where change.mayHaveComeUp {
                logger.debug("network change", metadata: ["kind": "\(change.rawValue)"])
                await uploader.networkChanged()
            }
        } catch {
            logger.warning("netlink watch ended", metadata: ["error": "\(error)"])
        }
    }

    func heartbeats(every interval: Duration) async {
        while !Task.isCancelled {
            await sendHeartbeat()
            do {
                try await hooks.clock.sleep(for: interval, tolerance: nil)
            } catch {
                return
            }
        }
    }

    func sendHeartbeat() async {
        let facts = await hooks.heartbeatFacts()
        let status = await uploader.status
        let now = hooks.wallNowMs()
        let heartbeat = Heartbeat(
            terminal: hooks.configuration.terminal, site: hooks.configuration.site, version: facts.version, sentAt: RFC3339.string(ms: now),
            uptimeSeconds: max(0, (now - facts.startedAtMs) / 1000), backlog: status.backlog,
            lastPressAt: facts.lastPressAtMs.map { RFC3339.string(ms: $0) },
            lastSyncAt: status.lastSuccessAtMs.map { RFC3339.string(ms: $0) },
            clockSynchronized: facts.clockSynchronized, heldButtons: facts.heldButtons,
            diskFreeBytes: status.diskFreeBytes, lowDisk: status.lowDisk != nil,
            quarantinedBatches: status.quarantinedBatches, quarantinedSamples: status.quarantinedSamples,
            lastError: status.lastError, floodingButtons: facts.floodingButtons)
        switch await client.sendHeartbeat(heartbeat) {
        case .success:
            await uploader.heartbeatSent(atMs: now, error: nil)
        case .failure(let failure):
            logger.debug("heartbeat not delivered", metadata: ["reason": "\(failure.message)"])
            await uploader.heartbeatSent(atMs: nil, error: failure.message)
        }
    }
}

import Logging
import ServiceLifecycle
import SmileyCore
import SmileyStore

/// The uploader as a service of smileyd's ServiceGroup (built by ``SyncServiceBuilder``): its
/// event loop, the netlink watcher, the heartbeat and the status relay. Holds the sync lock while
/// it runs.
public struct SyncService: Service {
    let uploader: Uploader
    let client: UploadClient
    let database: String
    let relay: StatusRelay
    let publish: @Sendable (SyncStatus) async -> Void
    let heartbeatInterval: Duration?
    let heartbeatFacts: @Sendable () async -> HeartbeatFacts
    let terminal: String
    let site: String
    let watchNetwork: Bool
    let networkNamespace: String?
    let wallNowMs: @Sendable () -> Int64
    let logger: Logger

    init(uploader: Uploader, client: UploadClient, database: String, relay: StatusRelay,
                publish: @escaping @Sendable (SyncStatus) async -> Void, heartbeatInterval: Duration?,
                heartbeatFacts: @escaping @Sendable () async -> HeartbeatFacts, terminal: String, site: String,
                watchNetwork: Bool = true, networkNamespace: String? = nil,
                wallNowMs: @escaping @Sendable () -> Int64, logger: Logger) {
        self.uploader = uploader
        self.client = client
        self.database = database
        self.relay = relay
        self.publish = publish
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatFacts = heartbeatFacts
        self.terminal = terminal
        self.site = site
        self.watchNetwork = watchNetwork
        self.networkNamespace = networkNamespace
        self.wallNowMs = wallNowMs
        self.logger = logger
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
                    if watchNetwork {
                        group.addTask { await watchForNetwork() }
                    }
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

    /// The sync lock; while a foreground `smileyctl sync` holds it, wait (checking every 2 s:
    /// the only timer here, and only in that case).
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
                try await Task.sleep(for: .seconds(2))
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
            watcher = try NetlinkWatcher(networkNamespace: networkNamespace)
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
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    func sendHeartbeat() async {
        let facts = await heartbeatFacts()
        let status = await uploader.status
        let now = wallNowMs()
        let heartbeat = Heartbeat(
            terminal: terminal, site: site, version: facts.version, sentAt: RFC3339.string(ms: now),
            uptimeSeconds: max(0, (now - facts.startedAtMs) / 1000), backlog: status.backlog,
            lastPressAt: facts.lastPressAtMs.map { RFC3339.string(ms: $0) },
            lastSyncAt: status.lastSuccessAtMs.map { RFC3339.string(ms: $0) },
            clockSynchronized: facts.clockSynchronized, heldButtons: facts.heldButtons,
            diskFreeBytes: status.diskFreeBytes, lowDisk: status.lowDisk != nil,
            quarantinedBatches: status.quarantinedBatches, quarantinedSamples: status.quarantinedSamples,
            lastError: status.lastError)
        switch await client.sendHeartbeat(heartbeat) {
        case .success:
            await uploader.heartbeatSent(atMs: now, error: nil)
        case .failure(let failure):
            logger.debug("heartbeat not delivered", metadata: ["reason": "\(failure.message)"])
            await uploader.heartbeatSent(atMs: nil, error: failure.message)
        }
    }
}

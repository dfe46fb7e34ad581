import Foundation
import SmileyCore
import GRDB
import Logging
import ServiceLifecycle
import SmileyConfig
import SmileyStore

/// What the heartbeat reports besides the sync's own numbers; the daemon supplies it.
public struct HeartbeatFacts: Sendable {
    public var version: String
    public var startedAtMs: Int64
    public var lastPressAtMs: Int64?
    public var clockSynchronized: Bool
    public var heldButtons: [String]

    public init(version: String, startedAtMs: Int64, lastPressAtMs: Int64?, clockSynchronized: Bool, heldButtons: [String]) {
        self.version = version
        self.startedAtMs = startedAtMs
        self.lastPressAtMs = lastPressAtMs
        self.clockSynchronized = clockSynchronized
        self.heldButtons = heldButtons
    }
}

/// Why the sync cannot start: a token file open to others, a CA file that does not load.
public struct SyncSetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public var exitCode: Int32

    public init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }
}

/// Everything the uploader needs, checked before the daemon starts.
public struct SyncSetup: Sendable {
    public let settings: UpstreamSettings
    public let client: UploadClient
    public let store: SyncStore

    /// Reads the token (refusing a file open to group or others) and loads the CA file.
    public static func make(configuration: SmileyConfig.Configuration, pool: DatabasePool, userAgent: String,
                            logger: Logger) throws(SyncSetupError) -> SyncSetup {
        guard let settings = configuration.upstream else {
            throw SyncSetupError("no upstream: section in the configuration; add one with url and token-file", exitCode: 78)
        }
        let token: BearerToken
        do {
            token = try TokenFile.read(path: settings.tokenFile)
        } catch {
            throw SyncSetupError(error.description, exitCode: error.exitCode)
        }
        if settings.url.lowercased().hasPrefix("http://"), !Self.isLoopback(settings.url) {
            logger.warning("upstream.url is plain http: the token and the samples cross the network unencrypted; use https",
                           metadata: ["url": "\(settings.url)"])
        }
        let client: UploadClient
        do {
            client = try UploadClient(endpoint: UploadEndpoint(settings: settings, token: token), userAgent: userAgent,
                                      logger: logger)
        } catch {
            throw SyncSetupError(error.description, exitCode: error.exitCode)
        }
        return SyncSetup(settings: settings, client: client, store: SyncStore(pool: pool, path: configuration.database))
    }

    static func isLoopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// The uploader's pacing for this configuration. `settle` covers the interpreter's re-flag
    /// window (simultaneous-ms after the first press, plus debounce and a margin for the commit).
    public static func uploaderSettings(_ configuration: SmileyConfig.Configuration, holdBoot: String?,
                                        settleMargin: Duration = .milliseconds(1000)) -> UploaderSettings {
        let upstream = configuration.upstream ?? UpstreamSettings(url: "", tokenFile: "")
        let settle = Duration.milliseconds(configuration.press.simultaneousMs + configuration.press.debounceMs) + settleMargin
        return UploaderSettings(
            batchSize: upstream.batchSize, coalesce: .milliseconds(upstream.coalesceMs), settle: settle,
            interval: .seconds(upstream.intervalSeconds),
            backoff: BackoffPolicy(initial: .milliseconds(upstream.retryInitialMs), cap: .milliseconds(upstream.retryMaxMs)),
            holdBoot: holdBoot, retentionDays: configuration.retentionDays, databasePath: configuration.database)
    }
}

/// Carries status snapshots from the uploader to whoever publishes them, in order, keeping only
/// the newest when the reader is slower.
public final class StatusRelay: Sendable {
    public let stream: AsyncStream<SyncStatus>
    private let continuation: AsyncStream<SyncStatus>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: SyncStatus.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func yield(_ status: SyncStatus) { continuation.yield(status) }
    public func finish() { continuation.finish() }
}

/// The uploader as a service of smileyd's ServiceGroup: the send loop, the netlink watcher, the
/// heartbeat and the status relay. Holds the sync lock while it runs.
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

    public init(uploader: Uploader, client: UploadClient, database: String, relay: StatusRelay,
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

/// Serves the control socket while the daemon runs.
public struct ControlSocketService: Service {
    let server: ControlServer
    let logger: Logger

    public init(server: ControlServer, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await server.run()
            }
        } catch is CancellationError {
            return
        } catch {
            // The daemon keeps recording presses (a service that returns would stop the group):
            // stay until shutdown; `smileyctl sync` then says the daemon does not answer.
            logger.error("the control socket failed; smileyctl sync cannot reach the daemon",
                         metadata: ["path": "\(server.path)", "error": "\(error)"])
            try? await gracefulShutdown()
        }
    }
}

import GRDB
import Logging
import ServiceLifecycle
import SmileyConfig
import SmileyStore

/// The one place the sync's services are built for smileyd: the uploader (with its clock), the
/// service that runs it with the netlink watcher and the heartbeat, retention and the free-space
/// check, and the control socket. The daemon supplies what only it knows through the hooks.
public struct SyncServiceBuilder: Sendable {
    /// What was built: the uploader (for the store writer's hooks) and the services to run.
    public struct Built: Sendable {
        public let uploader: Uploader
        public let url: String
        public let services: [any Service]
    }

    public var configuration: SmileyConfig.Configuration
    public var pool: DatabasePool
    public var userAgent: String
    /// This boot, when its uncorrected samples are to be held for the clock correction.
    public var holdBoot: String?
    public var wallNowMs: @Sendable () -> Int64
    public var clockSynchronized: @Sendable () -> Bool
    /// Where status snapshots go (in order; only the newest when the reader is slower).
    public var publish: @Sendable (SyncStatus) async -> Void
    public var heartbeatFacts: @Sendable () async -> HeartbeatFacts
    public var clock: any Clock<Duration>
    public var logger: Logger

    public init(configuration: SmileyConfig.Configuration, pool: DatabasePool, userAgent: String, holdBoot: String?,
                wallNowMs: @escaping @Sendable () -> Int64, clockSynchronized: @escaping @Sendable () -> Bool,
                publish: @escaping @Sendable (SyncStatus) async -> Void,
                heartbeatFacts: @escaping @Sendable () async -> HeartbeatFacts,
                clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.configuration = configuration
        self.pool = pool
        self.userAgent = userAgent
        self.holdBoot = holdBoot
        self.wallNowMs = wallNowMs
        self.clockSynchronized = clockSynchronized
        self.publish = publish
        self.heartbeatFacts = heartbeatFacts
        self.clock = clock
        self.logger = logger
    }

    /// Checks the token file and the CA file (throws ``SyncSetupError``) and builds the services.
    public func build() async throws -> Built {
        let setup = try SyncSetup.make(configuration: configuration, pool: pool, userAgent: userAgent, logger: logger)
        // Everything already in the database was committed by an earlier run (or is being read
        // before any press of this one): it can no longer be re-flagged.
        let horizon = try await setup.store.maxSampleRowID()
        let settings = SyncSetup.uploaderSettings(configuration, holdBoot: holdBoot)
        let retention = RetentionService(store: setup.store, retentionDays: settings.retentionDays,
                                         databasePath: settings.databasePath, clockSynchronized: clockSynchronized,
                                         wallNowMs: wallNowMs, logger: logger)
        let relay = StatusRelay()
        let uploader = Uploader(store: setup.store, sender: setup.client, settings: settings, url: setup.settings.url,
                                settledHorizon: horizon, wallNowMs: wallNowMs, logger: logger,
                                onStatus: { relay.yield($0) }, clock: clock, maintenance: retention)
        let sync = SyncService(uploader: uploader, setup: setup, relay: relay, hooks: self)
        let control = ControlSocketService(
            server: ControlServer(path: ControlProtocol.socketPath(runtimeDirectory: configuration.runtimeDirectory),
                                  uploader: uploader, logger: logger, clock: clock),
            logger: logger)
        return Built(uploader: uploader, url: setup.settings.url, services: [sync, retention, control])
    }
}

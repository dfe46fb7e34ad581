import Foundation
import GRDB
import Logging
import ServiceLifecycle
import SmileyConfig
import SmileyStore
import SmileySync
import Synchronization

/// The upstream sync inside smileyd (only when `upstream:` is configured): the uploader, its
/// service and the control socket, and the hooks the store writer calls after each commit.
final class UpstreamServices: Sendable {
    let uploader: Uploader
    let services: [ServiceGroupConfiguration.ServiceConfiguration]

    /// Checks the token file and the CA file (throws ``SyncSetupError``) and builds the services.
    static func make(configuration: SmileyConfig.Configuration, pool: DatabasePool, live: Bool, environment: DaemonEnvironment,
                     status: StatusBoard, logger: Logger) async throws -> UpstreamServices {
        let setup = try SyncSetup.make(configuration: configuration, pool: pool, userAgent: "smileyd/\(Smileyd.version)",
                                       logger: logger)
        // Everything already in the database was committed by an earlier run (or is being read
        // before any press of this one): it can no longer be re-flagged.
        let horizon = try await setup.store.maxSampleRowID()
        let holdBoot = live && !environment.clockSynchronized() ? environment.bootID : nil
        let relay = StatusRelay()
        let uploader = Uploader(
            store: setup.store, sender: setup.client,
            settings: SyncSetup.uploaderSettings(configuration, holdBoot: holdBoot), url: setup.settings.url,
            settledHorizon: horizon, wallNowMs: environment.wallNowMs,
            clockSynchronized: environment.clockSynchronized, logger: logger,
            onStatus: { relay.yield($0) })
        let previous = Mutex<SyncStatus?>(nil)
        let store = setup.store
        let sync = SyncService(
            uploader: uploader, client: setup.client, database: configuration.database, relay: relay,
            publish: { sync in
                let urgent = previous.withLock { last -> Bool in
                    defer { last = sync }
                    guard let last else { return true }
                    return last.state != sync.state || last.quarantinedBatches != sync.quarantinedBatches
                        || last.lowDisk != sync.lowDisk || last.holdingForClock != sync.holdingForClock
                }
                await status.update(urgent: urgent) { $0.sync = sync }
            },
            heartbeatInterval: setup.settings.heartbeatSeconds > 0 ? .seconds(setup.settings.heartbeatSeconds) : nil,
            heartbeatFacts: {
                let daemon = await status.status
                var lastPress = daemon.lastPress?.recordedAtMs
                if lastPress == nil { lastPress = try? await store.lastRecordedAtMs() }
                return HeartbeatFacts(version: Smileyd.version, startedAtMs: daemon.startedAtMs, lastPressAtMs: lastPress,
                                      clockSynchronized: daemon.clockSynchronized, heldButtons: daemon.heldButtons)
            },
            terminal: configuration.terminal, site: configuration.site, wallNowMs: environment.wallNowMs, logger: logger)
        let control = ControlSocketService(
            server: ControlServer(path: ControlProtocol.socketPath(runtimeDirectory: configuration.runtimeDirectory),
                                  uploader: uploader, logger: logger),
            logger: logger)
        await status.update(urgent: false) { $0.sync = SyncStatus(url: setup.settings.url) }
        return UpstreamServices(uploader: uploader, services: [.init(service: sync), .init(service: control)])
    }

    init(uploader: Uploader, services: [ServiceGroupConfiguration.ServiceConfiguration]) {
        self.uploader = uploader
        self.services = services
    }

    /// After a commit is durable: new samples wake the uploader; a committed clock correction
    /// releases the samples held for it.
    func committed(_ batch: [WriteOperation]) {
        var inserted = 0
        var corrected = false
        for operation in batch {
            switch operation {
            case .insert: inserted += 1
            case .correctClock: corrected = true
            case .reflag, .held: break
            }
        }
        guard inserted > 0 || corrected else { return }
        let uploader = self.uploader
        Task {
            if corrected { await uploader.clockCorrected() }
            if inserted > 0 { await uploader.samplesCommitted(inserted: inserted) }
        }
    }

    func storeHealthChanged(failing: Bool) {
        let uploader = self.uploader
        Task { await uploader.storeHealthChanged(failing: failing) }
    }
}

import Foundation
import GRDB
import Logging
import ServiceLifecycle
import SmileyConfig
import SmileyStore
import SmileySync
import Synchronization

/// The upstream sync inside smileyd (only when `upstream:` is configured): the daemon's hooks for
/// ``SyncServiceBuilder`` (status board, heartbeat facts, the clock hold), and the hooks the store
/// writer calls after each commit.
final class UpstreamServices: Sendable {
    let uploader: Uploader
    let services: [ServiceGroupConfiguration.ServiceConfiguration]

    /// Checks the token file and the CA file (throws ``SyncSetupError``) and builds the services.
    static func make(configuration: SmileyConfig.Configuration, pool: DatabasePool, live: Bool, environment: DaemonEnvironment,
                     status: StatusBoard, logger: Logger) async throws -> UpstreamServices {
        let previous = Mutex<SyncStatus?>(nil)
        let builder = SyncServiceBuilder(
            configuration: configuration, pool: pool, userAgent: "smileyd/\(Smileyd.version)",
            holdBoot: live && !environment.clockSynchronized() ? environment.bootID : nil,
            wallNowMs: environment.wallNowMs, clockSynchronized: environment.clockSynchronized,
            publish: { sync in
                let urgent = previous.withLock { last -> Bool in
                    defer { last = sync }
                    guard let last else { return true }
                    return last.state != sync.state || last.quarantinedBatches != sync.quarantinedBatches
                        || last.lowDisk != sync.lowDisk || last.holdingForClock != sync.holdingForClock
                }
                await status.update(urgent: urgent) { $0.sync = sync }
            },
            heartbeatFacts: {
                let daemon = await status.status
                var lastPress = daemon.lastPress?.recordedAtMs
                if lastPress == nil { lastPress = try? await SyncStore(pool: pool, path: configuration.database).lastRecordedAtMs() }
                return HeartbeatFacts(version: Smileyd.version, startedAtMs: daemon.startedAtMs, lastPressAtMs: lastPress,
                                      clockSynchronized: daemon.clockSynchronized, heldButtons: daemon.heldButtons,
                                      floodingButtons: daemon.floodingButtons ?? [])
            },
            logger: logger)
        let built = try await builder.build()
        await status.update(urgent: false) { $0.sync = SyncStatus(url: built.url) }
        return UpstreamServices(uploader: built.uploader, services: built.services.map { .init(service: $0) })
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

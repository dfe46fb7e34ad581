import Logging
import ServiceLifecycle
import SmileyStore

/// Retention and the free-space check, beside the uploader: when the sync asks (at start, and
/// after each drain), prune synced samples past `retention-days` — only after a drain that
/// delivered something, and only with a synchronized clock — then read the free space and
/// report it back.
public final class RetentionService: Service, Sendable {
    /// What one round found.
    public struct Report: Sendable, Hashable {
        /// Samples pruned (0 when pruning was not asked for, not allowed or failed).
        public var pruned: Int
        public var freeBytes: Int64?
        /// Set when the free space runs low.
        public var warning: String?
    }

    struct Request: Sendable {
        var prune: Bool
        var reply: @Sendable (Report) -> Void
    }

    private let store: SyncStore
    private let retentionDays: Int?
    private let databasePath: String?
    private let clockSynchronized: @Sendable () -> Bool
    private let wallNowMs: @Sendable () -> Int64
    private let logger: Logger
    private let onReport: @Sendable (Report) -> Void
    private let requests: AsyncStream<Request>
    private let input: AsyncStream<Request>.Continuation

    /// - Parameters:
    ///   - retentionDays: synced samples older than this are pruned (nil: never).
    ///   - databasePath: the database file, whose file system is checked (nil: no check).
    ///   - onReport: after each round (tests follow it).
    public init(store: SyncStore, retentionDays: Int?, databasePath: String?,
                clockSynchronized: @escaping @Sendable () -> Bool, wallNowMs: @escaping @Sendable () -> Int64,
                logger: Logger, onReport: @escaping @Sendable (Report) -> Void = { _ in }) {
        self.store = store
        self.retentionDays = retentionDays
        self.databasePath = databasePath
        self.clockSynchronized = clockSynchronized
        self.wallNowMs = wallNowMs
        self.logger = logger
        self.onReport = onReport
        (requests, input) = AsyncStream.makeStream(of: Request.self)
    }

    /// Asks for a round; `reply` gets its report.
    public func request(prune: Bool, reply: @escaping @Sendable (Report) -> Void) {
        input.yield(Request(prune: prune, reply: reply))
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastWarning: String?
            for await request in self.requests {
                let report = await self.round(prune: request.prune, lastWarning: lastWarning)
                lastWarning = report.warning
                request.reply(report)
                self.onReport(report)
            }
        }
    }

    func round(prune: Bool, lastWarning: String?) async -> Report {
        var report = Report(pruned: 0)
        if let days = retentionDays, prune, clockSynchronized() {
            let cutoff = wallNowMs() - Int64(days) * 86_400_000
            do {
                report.pruned = try await store.prune(syncedBeforeMs: cutoff)
                if report.pruned > 0 {
                    logger.notice("pruned synced samples past retention", metadata: ["samples": "\(report.pruned)", "retention-days": "\(days)"])
                }
            } catch {
                logger.error("pruning old synced samples failed", metadata: ["error": "\(error)"])
            }
        }
        if let path = databasePath {
            let disk = DiskSpace.check(path: path)
            if disk.warning != lastWarning, let warning = disk.warning {
                logger.warning("low disk space", metadata: ["detail": "\(warning)"])
            }
            report.freeBytes = disk.freeBytes
            report.warning = disk.warning
        }
        return report
    }
}

import Foundation
import GRDB
import Hummingbird
import Logging
import SmileyCollector
import SmileyCore
import Synchronization
@_exported import SmileyTestSupport
@testable import SmileyStore
@testable import SmileySync

let quietLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}()

/// A terminal's database with a backlog.
struct TerminalDatabase {
    let path: String
    let pool: DatabasePool
    var store: SyncStore { SyncStore(pool: pool, path: path) }

    init(folder: TemporaryFolder, name: String = "smiley.sqlite") throws {
        path = folder.file(name)
        pool = try SmileyDatabase.openForWriting(path: path)
    }

    /// `count` samples, one second apart, as the daemon writes them.
    @discardableResult
    func seed(_ count: Int, terminal: String = "terminal-a", site: String = "site-1", from ms: Int64 = 1_795_341_600_000,
              boot: String = "boot-old", synchronized: Bool = true, misuseEvery: Int = 7) throws -> [NewSample] {
        var samples: [NewSample] = []
        samples.reserveCapacity(count)
        var generator = SystemRandomNumberGenerator()
        for i in 0..<count {
            let at = ms + Int64(i) * 1000
            let button = i % 4
            samples.append(NewSample(
                id: SampleID.make(unixMs: at, using: &generator), terminal: terminal, site: site, survey: "checkout",
                button: button, scale: 4, buttonName: ["very-unhappy", "unhappy", "happy", "very-happy"][button],
                recordedAtMs: at, utcOffsetSeconds: 7200, bootID: boot, monotonicNs: UInt64(i + 1) * 1_000_000,
                clockSynchronized: synchronized, misuse: i % misuseEvery == 3 ? .interval : nil))
        }
        var start = 0
        while start < samples.count {
            let chunk = Array(samples[start..<min(start + 5000, samples.count)])
            try pool.write { db in try SampleWriter.apply(chunk.map(WriteOperation.insert), in: db) }
            start += chunk.count
        }
        return samples
    }

    func all() throws -> [StoredSample] { try StoreReader(path: path).samples(afterRowID: 0, limit: 10_000_000) }

    func maxRowID() throws -> Int64 { try pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM sample") ?? 0 } }
}

/// Records, for every batch request that reaches the storage, which sample ids came under which
/// key — to prove the client never re-forms a batch (same key, same samples; one key per sample).
final class RecordingStorage: CollectorStorage {
    let inner: SQLiteCollectorStorage
    let keys = Mutex<[String: Set<UUID>]>([:])
    let conflicts = Mutex<[String]>([])
    let outcomes = Mutex<[String: Int]>([:])
    /// Runs inside `submit` after the key is claimed (tests slow the storage down with it).
    let slowdown: (@Sendable () async -> Void)?

    init(path: String, slowdown: (@Sendable () async -> Void)? = nil) throws {
        inner = try SQLiteCollectorStorage(path: path, beforeStore: slowdown)
        self.slowdown = slowdown
    }

    func submit(_ batch: WireBatch, terminal: String, key: String, fingerprint: Data, receivedAtMs: Int64) async throws -> SubmitOutcome {
        let ids = Set(batch.samples.map(\.id))
        keys.withLock { table in
            if let known = table[key], known != ids { conflicts.withLock { $0.append(key) } }
            table[key] = ids
        }
        let outcome = try await inner.submit(batch, terminal: terminal, key: key, fingerprint: fingerprint, receivedAtMs: receivedAtMs)
        let name = switch outcome {
        case .stored: "stored"
        case .replayed: "replayed"
        case .payloadMismatch: "mismatch"
        case .inProgress: "in-progress"
        }
        outcomes.withLock { $0[name, default: 0] += 1 }
        return outcome
    }

    func recordHeartbeat(_ heartbeat: Heartbeat, terminal: String, receivedAtMs: Int64) async throws {
        try await inner.recordHeartbeat(heartbeat, terminal: terminal, receivedAtMs: receivedAtMs)
    }

    func summary(site: String, day: String, includeMisuse: Bool) async throws -> SiteDaySummary {
        try await inner.summary(site: site, day: day, includeMisuse: includeMisuse)
    }

    func terminals() async throws -> [TerminalInfo] { try await inner.terminals() }
    func health() async throws -> StorageHealth { try await inner.health() }

    func rangeSummary(_ filter: RollupFilter, includeMisuse: Bool, minSamples: Int) async throws -> RangeSummary {
        try await inner.rangeSummary(filter, includeMisuse: includeMisuse, minSamples: minSamples)
    }

    func buckets(_ filter: RollupFilter, weekdays: Bool, includeMisuse: Bool, minSamples: Int) async throws -> [RollupBucket] {
        try await inner.buckets(filter, weekdays: weekdays, includeMisuse: includeMisuse, minSamples: minSamples)
    }

    func siteRanking(_ filter: RollupFilter, includeMisuse: Bool, minSamples: Int) async throws -> [SiteRank] {
        try await inner.siteRanking(filter, includeMisuse: includeMisuse, minSamples: minSamples)
    }

    func rollupMismatches() async throws -> [RollupMismatch] { try await inner.rollupMismatches() }
}

/// A real smiley-collector on 127.0.0.1 with a SQLite file in `folder`.
struct CollectorFixture {
    let running: RunningCollector
    let storage: RecordingStorage
    let tokens: [String: String]
    /// Clients made here, shut down by ``stop()`` (AsyncHTTPClient insists on it).
    let clients = ClientList()

    var url: String { running.baseURL }

    static func start(folder: TemporaryFolder, terminals: [String] = ["terminal-a", "terminal-b"],
                      middlewares: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = [],
                      slowdown: (@Sendable () async -> Void)? = nil) async throws -> CollectorFixture {
        var tokens: [String: String] = [:]
        for terminal in terminals { tokens[terminal] = "tok-\(terminal)-" + UUID().uuidString.lowercased() }
        let storage = try RecordingStorage(path: folder.file("collector.sqlite"), slowdown: slowdown)
        let api = CollectorAPI(storage: storage, tokens: TokenTable(pairs: tokens.map { (terminal: $0.key, token: $0.value) }),
                               logger: quietLogger)
        let running = try await RunningCollector.start(api: api, middlewares: middlewares)
        return CollectorFixture(running: running, storage: storage, tokens: tokens)
    }

    func client(terminal: String = "terminal-a", token: String? = nil, url: String? = nil, timeout: Duration = .seconds(5),
                gzip: Bool = true) throws -> UploadClient {
        let endpoint = UploadEndpoint(baseURL: url ?? self.url, token: BearerToken(unchecked: token ?? tokens[terminal] ?? "none"),
                                      connectTimeout: .seconds(2), requestTimeout: timeout, gzip: gzip)
        let client = try UploadClient(endpoint: endpoint, userAgent: "smiley-test", logger: quietLogger)
        clients.add(client)
        return client
    }

    func stop() async {
        await clients.shutdown()
        await running.stop()
    }
}

func wallNow() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// Waits for a sync request to finish.
func finish(_ stream: AsyncStream<SyncProgress>) async -> SyncProgress? {
    var last: SyncProgress?
    for await step in stream { last = step }
    return last
}

/// Settings that keep tests fast: tiny backoff, no coalescing.
func fastSettings(batchSize: Int = 100, settle: Duration = .zero, coalesce: Duration = .zero,
                  backoff: BackoffPolicy = BackoffPolicy(initial: .milliseconds(2), cap: .milliseconds(20)),
                  interval: Duration = .seconds(60), holdBoot: String? = nil) -> UploaderSettings {
    UploaderSettings(batchSize: batchSize, coalesce: coalesce, settle: settle, interval: interval, backoff: backoff,
                     holdBoot: holdBoot)
}

final class ClientList: Sendable {
    private let clients = Mutex<[UploadClient]>([])

    func add(_ client: UploadClient) { clients.withLock { $0.append(client) } }

    func shutdown() async {
        for client in clients.withLock({ $0 }) { await client.shutdown() }
    }
}

/// Values as they are published (statuses, reports), for a test to await one instead of polling.
final class EventLog<Value: Sendable>: Sendable {
    private struct Waiter {
        var predicate: @Sendable (Value) -> Bool
        var continuation: CheckedContinuation<Value, Never>
    }

    private let state = Mutex<(latest: Value?, waiters: [Waiter])>((nil, []))

    init() {}

    /// Called by the publisher.
    func record(_ value: Value) {
        let ready = state.withLock { state -> [Waiter] in
            state.latest = value
            let ready = state.waiters.filter { $0.predicate(value) }
            state.waiters.removeAll { $0.predicate(value) }
            return ready
        }
        for waiter in ready { waiter.continuation.resume(returning: value) }
    }

    var latest: Value? { state.withLock { $0.latest } }

    /// The latest value if it satisfies `predicate`, else the first one published after that does.
    /// (The suites' time limit ends a test whose awaited value never comes.)
    @discardableResult
    func wait(for predicate: @escaping @Sendable (Value) -> Bool) async -> Value {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Value? in
                if let latest = state.latest, predicate(latest) { return latest }
                state.waiters.append(Waiter(predicate: predicate, continuation: continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}

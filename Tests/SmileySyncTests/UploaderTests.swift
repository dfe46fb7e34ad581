import Foundation
import GRDB
import Hummingbird
import SmileyCollector
import Synchronization
import Testing
import SmileyCore
import SmileyPlatform
@testable import SmileyStore
@testable import SmileySync

/// The uploader on an injected clock: a test advances it, or awaits a published status; none sleeps.
/// (The time limit ends a test whose awaited status never comes.)
@Suite("The uploader against a real collector", .serialized, .timeLimit(.minutes(5)))
struct UploaderTests {
    @Test("a backlog drains batch by batch, oldest first, every sample exactly once, then the uploader idles")
    func drainsBacklog() async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder)
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        let samples = try terminal.seed(1234)
        let client = try collector.client()
        let statuses = Mutex<[SyncStatus]>([])
        let published = EventLog<SyncStatus>()
        let clock = ManualClock()
        let uploader = Uploader(store: terminal.store, sender: client, settings: fastSettings(batchSize: 100), url: collector.url,
                                settledHorizon: try terminal.maxRowID(), wallNowMs: wallNow, logger: quietLogger,
                                onStatus: { status in
                                    statuses.withLock { $0.append(status) }
                                    published.record(status)
                                }, clock: clock)
        let runner = Task { await uploader.run() }
        defer { runner.cancel() }

        await published.wait { $0.sentSinceStart == 1234 && $0.backlog == 0 && $0.state == .idle }
        let drained = await uploader.status
        #expect(drained.sentSinceStart == 1234 && drained.backlog == 0 && drained.state == .idle)
        let stored = try await collector.storage.inner.storedSamples()
        // All, once, oldest first: two batches travel at once, so the receiver may store the second
        // before the first, but no sample lands more than two batches away from its place.
        let place = Dictionary(uniqueKeysWithValues: samples.enumerated().map { ($0.element.id, $0.offset) })
        let displacement = stored.enumerated().map { abs((place[$0.element.id] ?? -10_000) - $0.offset) }.max() ?? 0
        #expect(stored.count == 1234 && Set(stored.map(\.id)).count == 1234 && displacement <= 200, "\(displacement)")
        let ranges = try await terminal.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT first_sample, last_sample FROM sync_batch ORDER BY id").map { ($0[0] as Int64, $0[1] as Int64) }
        }
        #expect(ranges.count == 13 && zip(ranges, ranges.dropFirst()).allSatisfy { $0.0.1 + 1 == $0.1.0 })
        #expect(try terminal.all().allSatisfy { $0.synced })
        #expect(collector.storage.keys.withLock { $0.count } == 13)
        #expect(await uploader.status.sentSinceStart == 1234)
        #expect(await uploader.status.nextAttemptAtMs == nil)
        #expect(statuses.withLock { $0.contains { $0.state == .sending } })

        // Idle means idle: no timer and no pass, so no requests however much time passes.
        let before = collector.storage.outcomes.withLock { $0 }
        #expect(await uploader.nextWakeUp == nil)
        let inPass = await uploader.isInPass
        #expect(!inPass)
        clock.advance(by: .seconds(3600))
        #expect(collector.storage.outcomes.withLock { $0 } == before)

        // New presses are sent after the coalescing window.
        let more = try terminal.seed(3, from: 1_795_400_000_000)
        await uploader.samplesCommitted(inserted: 3)
        await published.wait { $0.sentSinceStart == 1237 && $0.state == .idle }
        #expect(try await collector.storage.inner.storedSamples().count == 1237)
        let lastThree = try await collector.storage.inner.storedSamples().suffix(3).map(\.id) == more.map(\.id)
        #expect(lastThree)
    }

    @Test("retention: after a drain, synced samples older than retention-days are pruned (the newest kept), unsynced never")
    func retention() async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder)
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        let old = try terminal.seed(30, from: wallNow() - 90 * 86_400_000)   // three months ago
        let recent = try terminal.seed(5, from: wallNow() - 86_400_000)
        var settings = fastSettings(batchSize: 10)
        settings.retentionDays = 30
        settings.databasePath = terminal.path
        // Samples pruned so far, over every round of the retention service.
        let prunedTotal = Mutex(0)
        let pruned = EventLog<Int>()
        let retention = RetentionService(store: terminal.store, retentionDays: settings.retentionDays,
                                         databasePath: settings.databasePath, clockSynchronized: { true }, wallNowMs: wallNow,
                                         logger: quietLogger, onReport: { report in
                                             pruned.record(prunedTotal.withLock { $0 += report.pruned; return $0 })
                                         })
        let published = EventLog<SyncStatus>()
        let uploader = Uploader(store: terminal.store, sender: try collector.client(), settings: settings, url: collector.url,
                                settledHorizon: try terminal.maxRowID(), wallNowMs: wallNow, logger: quietLogger,
                                onStatus: { published.record($0) }, clock: ManualClock(), maintenance: retention)
        // Before anything is synced, nothing old may go.
        let runner = Task { await uploader.run() }
        let maintainer = Task { try await retention.run() }
        defer {
            runner.cancel()
            maintainer.cancel()
        }
        await published.wait { $0.sentSinceStart == 35 }
        #expect(await uploader.status.sentSinceStart == 35)
        await pruned.wait { $0 >= 30 }
        #expect(try terminal.all().count == 5)
        #expect(try terminal.all().map(\.id) == recent.map(\.id))
        #expect(try await collector.storage.inner.storedSamples().count == 35)
        #expect(old.count == 30)
        await published.wait { $0.diskFreeBytes != nil }
        #expect(await uploader.status.diskFreeBytes != nil)
    }

    @Test("rows committed less than `settle` ago wait: a re-flag that comes within the window is what gets sent")
    func settleWindow() async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder)
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        let client = try collector.client()
        let clock = ManualClock()
        let published = EventLog<SyncStatus>()
        let uploader = Uploader(store: terminal.store, sender: client,
                                settings: fastSettings(settle: .milliseconds(3000), coalesce: .zero), url: collector.url,
                                settledHorizon: 0, wallNowMs: wallNow, logger: quietLogger,
                                onStatus: { published.record($0) }, clock: clock)
        let runner = Task { await uploader.run() }
        defer { runner.cancel() }
        // A press, then 200 ms later the second of a simultaneous pair re-flags it.
        let first = try terminal.seed(1, from: 1_795_400_000_000, misuseEvery: 1000)[0]
        await uploader.samplesCommitted(inserted: 1)
        clock.advance(by: .milliseconds(200))
        try await terminal.pool.write { db in
            try SampleWriter.apply([.reflag(id: first.id, misuse: .simultaneous)], in: db)
        }
        // The row waits the whole settle window: nothing sent, the next pass not before 3 s.
        #expect(try await collector.storage.inner.storedSamples().isEmpty)
        #expect(await uploader.nextWakeUp == .milliseconds(3000))
        clock.advance(by: .milliseconds(2800))
        await published.wait { $0.sentSinceStart == 1 }
        #expect(try await collector.storage.inner.storedSamples().count == 1)
        #expect(try await collector.storage.inner.storedSamples().first?.misuse == "simultaneous")
    }

    @Test("samples of this boot taken before the clock synchronized wait for the correction, then go corrected")
    func clockHold() async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder)
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(2, boot: "older-boot", synchronized: false)
        let early = try terminal.seed(3, boot: "this-boot", synchronized: false)
        let client = try collector.client()
        let published = EventLog<SyncStatus>()
        let uploader = Uploader(store: terminal.store, sender: client, settings: fastSettings(holdBoot: "this-boot"),
                                url: collector.url, settledHorizon: try terminal.maxRowID(), wallNowMs: wallNow, logger: quietLogger,
                                onStatus: { published.record($0) }, clock: ManualClock())
        let runner = Task { await uploader.run() }
        defer { runner.cancel() }
        // The older boot's samples can never be corrected: they go, marked unsynchronized.
        await published.wait { $0.sentSinceStart == 2 && $0.holdingForClock }
        #expect(try await collector.storage.inner.storedSamples().count == 2)
        #expect(await uploader.status.holdingForClock)
        #expect(try await collector.storage.inner.storedSamples().allSatisfy { !$0.clockSynchronized })
        // The clock syncs; the daemon commits the correction and says so.
        let syncWall = early[2].recordedAtMs + 86_400_000
        try await terminal.pool.write { db in
            try SampleWriter.apply([.correctClock(bootID: "this-boot", syncMonotonicNs: 10_000_000, syncWallMs: syncWall,
                                                  zone: try #require(Zone(identifier: "Europe/Helsinki")))], in: db)
        }
        await uploader.clockCorrected()
        await published.wait { $0.sentSinceStart == 5 && !$0.holdingForClock }
        #expect(try await collector.storage.inner.storedSamples().count == 5)
        let corrected = try await collector.storage.inner.storedSamples().suffix(3)
        #expect(corrected.allSatisfy { $0.clockSynchronized })
        let local = try terminal.all().suffix(3).map(\.recordedAtMs)
        #expect(corrected.map(\.recordedAtMs) == local)
        #expect(corrected.first?.recordedAtMs != early[0].recordedAtMs)
        #expect(await uploader.status.holdingForClock == false)
    }

    @Test("a refused batch is quarantined and the rest goes on; --retry-quarantined resends it under the same key")
    func quarantineAndRetry() async throws {
        let folder = TemporaryFolder()
        let poison = Poison()
        let collector = try await CollectorFixture.start(folder: folder, middlewares: [poison])
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        let samples = try terminal.seed(50)
        poison.refuse.withLock { $0 = [samples[12].id.uuidString.lowercased()] }
        let client = try collector.client(gzip: false)
        let uploader = Uploader(store: terminal.store, sender: client, settings: fastSettings(batchSize: 10), url: collector.url,
                                settledHorizon: try terminal.maxRowID(), wallNowMs: wallNow, logger: quietLogger,
                                clock: ManualClock())
        let runner = Task { await uploader.run() }
        defer { runner.cancel() }

        let progress = await finish(await uploader.requestSync(retryQuarantined: false))
        #expect(progress?.finished == true)
        #expect(progress?.quarantined == 10 && progress?.sent == 40 && progress?.remaining == 0)
        let quarantined = await uploader.status
        #expect(quarantined.quarantinedBatches == 1 && quarantined.quarantinedSamples == 10)
        #expect(try await collector.storage.inner.storedSamples().count == 40)
        let refusedKey = try #require(poison.refusedKeys.withLock { $0.first })

        // The cause is fixed; a person puts the batch back.
        poison.refuse.withLock { $0 = [] }
        let retry = await finish(await uploader.requestSync(retryQuarantined: true))
        #expect(retry?.finished == true && retry?.sent == 10 && retry?.quarantined == 0)
        #expect(try await collector.storage.inner.storedSamples().count == 50)
        #expect(collector.storage.keys.withLock { $0[refusedKey] } == Set(samples[10..<20].map(\.id)))
        #expect(try terminal.all().allSatisfy { $0.synced })
        #expect(await uploader.status.quarantinedBatches == 0)
    }

    @Test("after refusals in a row (a revoked token) the uploader pauses instead of quarantining the whole backlog")
    func pausesAfterRefusals() async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder)
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(100)
        let client = try collector.client(token: "revoked-token-0000000000")
        let published = EventLog<SyncStatus>()
        let uploader = Uploader(store: terminal.store, sender: client, settings: fastSettings(batchSize: 10, interval: .seconds(3600)),
                                url: collector.url, settledHorizon: try terminal.maxRowID(), wallNowMs: wallNow, logger: quietLogger,
                                onStatus: { published.record($0) }, clock: ManualClock())
        let runner = Task { await uploader.run() }
        defer { runner.cancel() }
        await published.wait { $0.state == .paused }
        #expect(await uploader.status.state == .paused)
        let status = await uploader.status
        // Three in a row trip the pause; the one still in flight then may be refused too.
        #expect((3...4).contains(status.quarantinedBatches) && status.quarantinedSamples == status.quarantinedBatches * 10)
        #expect(status.lastError?.contains("HTTP 401") == true)
        #expect(status.nextAttemptAtMs.map { $0 > wallNow() + 3_000_000 } == true)
        let counts = try await terminal.store.counts()
        #expect(counts.unsynced == 100 && counts.quarantinedSamples == status.quarantinedSamples)
    }

    @Test("Retry-After is honoured, and a failing receiver is retried with the same key until it answers")
    func retryAfter() async throws {
        let folder = TemporaryFolder()
        let script = ScriptedAnswers()
        let clock = ManualClock()
        // Request times on the uploader's clock (seconds).
        let times = RequestTimes(now: { Double(clock.elapsed.components.seconds) + Double(clock.elapsed.components.attoseconds) / 1e18 })
        let collector = try await CollectorFixture.start(folder: folder, middlewares: [times, script])
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(5)
        script.next.withLock { $0 = .status(429, retryAfter: "1") }
        let client = try collector.client()
        let published = EventLog<SyncStatus>()
        let uploader = Uploader(store: terminal.store, sender: client, settings: fastSettings(), url: collector.url,
                                settledHorizon: try terminal.maxRowID(), wallNowMs: wallNow, logger: quietLogger,
                                onStatus: { published.record($0) }, clock: clock)
        let runner = Task { await uploader.run() }
        defer { runner.cancel() }
        await published.wait { $0.state == .retrying }
        let status = await uploader.status
        #expect(status.lastError?.contains("HTTP 429") == true)
        #expect(status.consecutiveFailures == 1)
        // The retry is due one second (Retry-After: 1) after the answer; the clock gets there.
        #expect(await uploader.nextWakeUp == .seconds(1))
        clock.advance(by: .seconds(1))
        // (The scripted 429 answered that one request; the retry meets the real receiver.)
        await published.wait { $0.backlog == 0 }
        #expect(await uploader.status.backlog == 0)
        let stamps = times.all
        #expect(stamps.count == 2)
        #expect(stamps[1] - stamps[0] >= 1.0, "\(stamps)")
        #expect(collector.storage.keys.withLock { $0.count } == 1)
        let batch = try await terminal.pool.read { db in try Int.fetchOne(db, sql: "SELECT attempts FROM sync_batch") }
        #expect(batch == 1)
    }

    @Test("a network that comes back cuts a long backoff short")
    func networkChangeRetriesAtOnce() async throws {
        let folder = TemporaryFolder()
        let port = try freePort()
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(20)
        let token = "tok-" + UUID().uuidString
        let client = try UploadClient(endpoint: UploadEndpoint(baseURL: "http://127.0.0.1:\(port)", token: BearerToken(unchecked: token),
                                                               connectTimeout: .seconds(1)), logger: quietLogger)
        // A backoff of up to ten minutes: only the network trigger can bring the retry forward.
        // (Full jitter: the seed is one whose first draw is long.)
        let backoff = BackoffPolicy(initial: .seconds(600), cap: .seconds(600))
        let seed = try #require((UInt64(1)...1000).first { seed in
            var jitter = SyncJitter(seed: seed)
            return backoff.delay(failures: 1, using: &jitter) > .seconds(60)
        })
        let clock = ManualClock()
        let published = EventLog<SyncStatus>()
        let uploader = Uploader(store: terminal.store, sender: client, settings: fastSettings(backoff: backoff),
                                url: "http://127.0.0.1:\(port)", settledHorizon: try terminal.maxRowID(), wallNowMs: wallNow,
                                logger: quietLogger, onStatus: { published.record($0) }, clock: clock, jitter: SyncJitter(seed: seed))
        let runner = Task { await uploader.run() }
        defer {
            runner.cancel()
            Task { await client.shutdown() }
        }
        await published.wait { $0.state == .retrying }
        let status = await uploader.status
        #expect(status.state == .retrying && (status.nextAttemptAtMs ?? 0) > wallNow() + 20_000)
        let storage = try RecordingStorage(path: folder.file("collector.sqlite"))
        let api = CollectorAPI(storage: storage, tokens: TokenTable(pairs: [(terminal: "terminal-a", token: token)]), logger: quietLogger)
        let running = try await RunningCollector.start(api: api, port: port)
        defer { Task { await running.stop() } }
        let started = clock.elapsed
        await uploader.networkChanged()
        #expect(await uploader.nextWakeUp == started + .milliseconds(300))
        clock.advance(by: .milliseconds(300))
        await published.wait { $0.backlog == 0 }
        #expect(await uploader.status.backlog == 0)
        #expect(clock.elapsed - started < .seconds(10))
        #expect(try await storage.inner.storedSamples().count == 20)
    }

    @Test("stopping the uploader ends a pending request's progress and releases whoever waits on it")
    func stopEndsRequests() async throws {
        let folder = TemporaryFolder()
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(5)
        let clock = ManualClock()
        let uploader = Uploader(store: terminal.store, sender: UnansweredSender(clock: clock), settings: fastSettings(),
                                url: "http://127.0.0.1:9", settledHorizon: try terminal.maxRowID(), wallNowMs: wallNow,
                                logger: quietLogger, clock: clock)
        let runner = Task { await uploader.run() }
        let stream = await uploader.requestSync(retryQuarantined: false)
        #expect(await uploader.isInPass, "the batch is on its way, unanswered")
        runner.cancel()
        let last = await finish(stream)
        #expect(last?.finished == false && last?.remaining == 5 && last?.sent == 0)
        // After the stop a trigger returns at once.
        await uploader.samplesCommitted(inserted: 1)
        await runner.value
    }
}

/// A receiver that never answers (until the send is cancelled).
struct UnansweredSender: BatchSender {
    let clock: ManualClock

    func send(_ batch: SyncBatch, nowMs: @Sendable () -> Int64) async -> SendOutcome {
        try? await clock.sleep(for: .seconds(86_400))
        return .retry(RetryReason(kind: .network, status: nil, retryAfter: nil, message: "cancelled"))
    }
}

/// Refuses (400) any batch holding one of `refuse`'s sample ids.
final class Poison: RouterMiddleware {
    typealias Context = BasicRequestContext
    let refuse = Mutex<Set<String>>([])
    let refusedKeys = Mutex<[String]>([])

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 24)
        let text = String(buffer: body)
        if refuse.withLock({ $0.contains { text.contains($0) } }) {
            refusedKeys.withLock { $0.append(request.headers[values: .init("Idempotency-Key")!].first ?? "") }
            return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: #"{"error":"samples[2]: not allowed here"}"#)))
        }
        return try await next(request, context)
    }
}

/// Remembers when each batch request arrived.
final class RequestTimes: RouterMiddleware {
    typealias Context = BasicRequestContext
    private let stamps = Mutex<[Double]>([])
    /// Seconds on the clock the test runs the uploader on.
    private let now: @Sendable () -> Double
    var all: [Double] { stamps.withLock { $0 } }

    init(now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.now = now
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/v1/batches" {
            stamps.withLock { $0.append(now()) }
        }
        return try await next(request, context)
    }
}

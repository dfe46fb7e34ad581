import Foundation
import Hummingbird
import NIOCore
import SmileyCollector
import Synchronization
import SmileyTestSupport
import Testing
@testable import SmileyStore
@testable import SmileySync

/// A receiver that misbehaves at random in front of the real collector.
final class FaultInjection: RouterMiddleware {
    typealias Context = BasicRequestContext

    enum Fault: String, CaseIterable, Sendable {
        case none, status500, status503, tooMany, stall, resetAfterStore, garbage, garbageAfterStore
    }

    struct ResetError: Error {}

    private let generator: Mutex<SplitMix64>
    private let tally = Mutex<[Fault: Int]>([:])
    private let enabled = Mutex(true)
    /// How long a stall lasts (past the client's request timeout).
    let stall: Duration

    init(seed: UInt64, stall: Duration) {
        generator = Mutex(SplitMix64(seed: seed))
        self.stall = stall
    }

    var counts: [Fault: Int] { tally.withLock { $0 } }
    func stop() { enabled.withLock { $0 = false } }

    func pick() -> Fault {
        guard enabled.withLock({ $0 }) else { return .none }
        let roll = generator.withLock { $0.next() % 1000 }
        switch roll {
        case 0..<100: return .status500
        case 100..<200: return .status503
        case 200..<260: return .tooMany
        case 260..<275: return .stall
        case 275..<375: return .resetAfterStore
        case 375..<425: return .garbage
        case 425..<475: return .garbageAfterStore
        default: return .none
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path == "/v1/batches" else { return try await next(request, context) }
        let fault = pick()
        tally.withLock { $0[fault, default: 0] += 1 }
        switch fault {
        case .none:
            return try await next(request, context)
        case .status500:
            return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom")))
        case .status503:
            return Response(status: .serviceUnavailable, headers: [.retryAfter: "0"], body: .init())
        case .tooMany:
            // Seconds or an HTTP date, both already due (the timing itself is tested elsewhere).
            let after = generator.withLock { $0.next() % 2 == 0 } ? "0" : RetryAfter.httpDateString(Date().addingTimeInterval(-5))
            return Response(status: .tooManyRequests, headers: [.retryAfter: after], body: .init())
        case .stall:
            // Past the client's timeout, then stored anyway: the retry meets the key in progress
            // or finds it done.
            try? await Task.sleep(for: stall)
            return try await next(request, context)
        case .resetAfterStore:
            // Stored, then the connection drops in the middle of the answer.
            _ = try await next(request, context)
            return Response(status: .ok, headers: [.contentLength: "200"], body: ResponseBody(contentLength: 200) { writer in
                try await writer.write(ByteBuffer(string: #"{"batch":"#))
                throw ResetError()
            })
        case .garbage:
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: (0..<64).map { _ in UInt8.random(in: 0...255) })))
        case .garbageAfterStore:
            _ = try await next(request, context)
            return Response(status: .ok, headers: [.contentType: "text/html"],
                            body: .init(byteBuffer: ByteBuffer(string: "<html>portal</html>")))
        }
    }
}

@Suite("Fault injection", .serialized, .timeLimit(.minutes(10)))
struct FaultInjectionTests {
    @Test("≥ 1,000 batches through a receiver that fails at random: afterwards it holds every sample exactly once")
    func thousandBatches() async throws {
        let folder = TemporaryFolder()
        let seed = UInt64.random(in: 0...UInt64.max)
        let faults = FaultInjection(seed: seed, stall: .milliseconds(600))
        // The storage itself is sometimes slow (a key stays in progress while the client retries).
        let slow = Mutex(SplitMix64(seed: seed ^ 0xABCDEF))
        let collector = try await CollectorFixture.start(folder: folder, middlewares: [faults], slowdown: {
            let roll = slow.withLock { $0.next() % 1000 }
            if roll < 15 { try? await Task.sleep(for: .milliseconds(550)) }
        })
        defer { Task { await collector.stop() } }
        let terminal = try TerminalDatabase(folder: folder)
        let samples = try terminal.seed(3000)
        // 500 ms: beyond an ordinary request on a loaded 2-core machine, short of a stall (600 ms).
        let client = try collector.client(timeout: .milliseconds(500))
        // Backoffs pass at once on this clock: the test waits for answers, never for a timer.
        let published = EventLog<SyncStatus>()
        let uploader = Uploader(store: terminal.store, sender: client,
                                settings: fastSettings(batchSize: 3, backoff: BackoffPolicy(initial: .milliseconds(1), cap: .milliseconds(10))),
                                url: collector.url, settledHorizon: try terminal.maxRowID(), wallNowMs: wallNow, logger: quietLogger,
                                onStatus: { published.record($0) }, clock: ImmediateClock())
        let runner = Task { await uploader.run() }
        defer { runner.cancel() }

        let started = Date()
        // New presses keep arriving while it drains.
        let late = try terminal.seed(30, from: 1_795_500_000_000)
        await uploader.samplesCommitted(inserted: 30)
        let progress = await finish(await uploader.requestSync(retryQuarantined: false))
        #expect(progress?.finished == true && progress?.quarantined == 0, "seed \(seed)")
        faults.stop()
        await published.wait { $0.backlog == 0 }
        #expect(await uploader.status.backlog == 0, "seed \(seed)")
        let elapsed = Date().timeIntervalSince(started)

        // Every sample of the terminal, exactly once, with its content intact.
        let stored = try await collector.storage.inner.storedSamples()
        let expected = samples + late
        #expect(stored.count == expected.count, "seed \(seed)")
        let sameSet = Set(stored.map(\.id)) == Set(expected.map(\.id))
        #expect(sameSet, "seed \(seed)")
        let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.id, $0) })
        #expect(stored.allSatisfy { got in byID[got.id].map { s in s.button == got.button && s.recordedAtMs == got.recordedAtMs && s.misuse?.rawValue == got.misuse } ?? false })
        // Each sample was accepted exactly once over all keys; the terminal has them all synced.
        #expect(try await collector.storage.inner.acceptedTotal() == expected.count, "seed \(seed)")
        #expect(try terminal.all().allSatisfy { $0.synced })
        // The client never re-formed a batch: one key per sample, the same samples per key.
        let keys = collector.storage.keys.withLock { $0 }
        #expect(collector.storage.conflicts.withLock { $0 }.isEmpty, "seed \(seed)")
        #expect(keys.values.reduce(0) { $0 + $1.count } == expected.count, "seed \(seed)")
        let batches = try await terminal.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sync_batch") ?? 0 }
        #expect(batches >= 1000 && keys.count == batches, "\(batches) batches, \(keys.count) keys")

        let counts = faults.counts
        let outcomes = collector.storage.outcomes.withLock { $0 }
        print("fault injection (seed \(seed)): \(batches) batches, \(counts.values.reduce(0, +)) requests in \(String(format: "%.1f", elapsed)) s; faults \(counts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " ")); storage \(outcomes)")
        // The faults really happened, including the nasty ones.
        #expect(counts[.resetAfterStore, default: 0] > 50 && counts[.stall, default: 0] > 5 && counts[.garbageAfterStore, default: 0] > 20)
        #expect(outcomes["replayed", default: 0] > 50)
    }
}

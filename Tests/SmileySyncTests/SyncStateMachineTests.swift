import Foundation
import Testing
@testable import SmileyStore
@testable import SmileySync

// The sync's decisions, table-driven: the machine is fed events at chosen instants and a small
// in-memory store answers its store actions, as the uploader's shell does with SQLite. No clock is
// read and nothing sleeps.

/// Rows of a terminal's database as the machine's store actions see them.
private struct FakeStore {
    /// Highest sample row id.
    var newest: Int64
    var synced: Set<Int64> = []
    /// Highest row id any batch has taken.
    var formedUpTo: Int64 = 0
    var open: [SyncBatch] = []
    var quarantined: [SyncBatch] = []
    /// Rows from here on are this boot's, uncorrected (held while the hold applies).
    var heldFrom: Int64?
    var failing = false
    var nextBatchID: Int64 = 1

    func batch(_ rowID: Int64, _ rows: ClosedRange<Int64>) -> SyncBatch {
        SyncBatch(rowID: rowID, id: UUID(), state: .inFlight, attempts: 0, createdAtMs: 0, firstSample: rows.lowerBound,
                  lastSample: rows.upperBound, samples: rows.map { row in
                      UploadSample(rowID: row, id: UUID(), terminal: "terminal-a", site: "site-1", survey: "s", button: 0,
                                   buttonName: "happy", scale: 4, recordedAtMs: row * 1000, utcOffsetSeconds: 0,
                                   clockSynchronized: true, misuse: nil)
                  })
    }

    var unsynced: Int { Int(newest) - synced.count }

    func counts() -> SyncCounts {
        let quarantinedSamples = quarantined.reduce(0) { $0 + $1.samples.count }
        return SyncCounts(unsynced: unsynced, quarantinedSamples: quarantinedSamples, quarantinedBatches: quarantined.count,
                          openBatches: open.count)
    }

    func unsynced(upTo horizon: Int64) -> UnsyncedCount {
        let pending = (1...max(1, horizon)).filter { $0 <= newest && !synced.contains($0) }.count
        let quarantinedCount = quarantined.flatMap(\.samples).filter { $0.rowID <= horizon && !synced.contains($0.rowID) }.count
        return UnsyncedCount(pending: horizon == 0 ? 0 : pending, quarantined: quarantinedCount)
    }

    func hasUnbatched(_ selection: BatchSelection) -> Bool {
        let limit = min(selection.horizon ?? newest, newest)
        guard formedUpTo < limit else { return false }
        if let hold = selection.holdUncorrectedOfBoot, !hold.isEmpty, let heldFrom, formedUpTo + 1 >= heldFrom { return false }
        return true
    }

    mutating func settle(_ delivered: [DeliveredBatch], form selection: BatchSelection?, count: Int, excluding: Set<Int64>) -> [SyncBatch] {
        for item in delivered {
            for sample in item.batch.samples { synced.insert(sample.rowID) }
            open.removeAll { $0.rowID == item.batch.rowID }
        }
        guard let selection else { return [] }
        var formed: [SyncBatch] = []
        var skip = excluding
        while formed.count < count {
            if let again = open.first(where: { !skip.contains($0.rowID) }) {
                formed.append(again)
                skip.insert(again.rowID)
                continue
            }
            var last = min(selection.horizon ?? newest, newest, formedUpTo + Int64(selection.limit))
            if selection.holdUncorrectedOfBoot != nil, let heldFrom { last = min(last, heldFrom - 1) }
            guard last > formedUpTo else { break }
            let made = batch(nextBatchID, (formedUpTo + 1)...last)
            nextBatchID += 1
            formedUpTo = last
            open.append(made)
            formed.append(made)
            skip.insert(made.rowID)
        }
        return formed
    }
}

/// Drives the machine as the uploader's shell does: store actions answered at once from the fake
/// store, sends left on their way until the test answers them, everything else recorded.
private struct Harness {
    var machine: SyncStateMachine
    var store: FakeStore
    var now: Duration = .zero
    let wallStart: Int64 = 1_800_000_000_000
    var actions: [SyncAction] = []
    var inFlight: [SyncBatch] = []
    var wake: Duration?
    var progress: [Int: [SyncProgress]] = [:]
    var finished: Set<Int> = []
    var logs: [SyncLogEntry] = []
    var maintained: [Bool] = []
    var failuresRecorded = 0

    init(settings: UploaderSettings = testSettings(), rows: Int64 = 100, settledHorizon: Int64? = nil, seed: UInt64 = 7) {
        machine = SyncStateMachine(settings: settings, url: "http://collector", settledHorizon: settledHorizon ?? rows,
                                   jitter: SyncJitter(seed: seed))
        store = FakeStore(newest: rows)
    }

    var status: SyncStatus { machine.status }
    var wallNow: Int64 { wallStart + BackoffPolicy.milliseconds(now) }

    mutating func feed(_ event: SyncEvent) {
        var pending = machine.handle(event, at: SyncTime(elapsed: now, wallMs: wallNow))
        while !pending.isEmpty {
            let action = pending.removeFirst()
            actions.append(action)
            if let result = perform(action) {
                pending.insert(contentsOf: machine.handle(result, at: SyncTime(elapsed: now, wallMs: wallNow)), at: 0)
            }
        }
    }

    mutating func perform(_ action: SyncAction) -> SyncEvent? {
        switch action {
        case .recount: return .counted(store.failing ? nil : store.counts())
        case .readNewestRow: return .newestRowRead(store.failing ? nil : store.newest)
        case .prepareRequest(let id, let retry):
            if store.failing { return .requestFailed(id: id, error: "reading the newest sample in test.sqlite failed: disk I/O error") }
            var requeued = (0, 0)
            if retry {
                requeued = (store.quarantined.count, store.quarantined.reduce(0) { $0 + $1.samples.count })
                store.open.insert(contentsOf: store.quarantined, at: 0)
                store.open.sort { $0.rowID < $1.rowID }
                store.quarantined.removeAll()
            }
            return .requestPrepared(id: id, prepared: PreparedRequest(
                requeuedBatches: requeued.0, requeuedSamples: requeued.1, horizon: store.newest,
                unsynced: store.unsynced(upTo: store.newest), counts: store.counts()))
        case .countRequests(let horizons):
            return .requestsCounted(horizons.mapValues { store.unsynced(upTo: $0) })
        case .settle(let delivered, let selection, let count, let excluding):
            if store.failing { return .settled(.failure(StoreFailure("recording acknowledged batches failed: disk full"))) }
            return .settled(.success(store.settle(delivered, form: selection, count: count, excluding: excluding)))
        case .send(let batch):
            inFlight.append(batch)
            return nil
        case .recordFailure:
            failuresRecorded += 1
            return nil
        case .quarantine(let batch, let httpStatus, let reason):
            if store.failing {
                return .quarantineRecorded(batch, status: httpStatus, reason: reason, error: StoreFailure("quarantining failed"))
            }
            store.open.removeAll { $0.rowID == batch.rowID }
            store.quarantined.append(batch)
            return .quarantineRecorded(batch, status: httpStatus, reason: reason, error: nil)
        case .probeUnheld(let selection):
            return .probed(store.hasUnbatched(selection))
        case .maintain(let prune):
            maintained.append(prune)
            return nil
        case .wake(let at):
            wake = at
            return nil
        case .publish:
            return nil
        case .progress(let id, let step):
            progress[id, default: []].append(step)
            return nil
        case .finishRequest(let id):
            finished.insert(id)
            return nil
        case .log(let entry):
            logs.append(entry)
            return nil
        }
    }

    /// Starts the machine; the first pass runs at once when there is a backlog.
    mutating func start() { feed(.start) }

    /// The receiver answers the oldest batch on its way.
    mutating func answer(_ outcome: SendOutcome) {
        let batch = inFlight.removeFirst()
        feed(.answered(batch, outcome))
    }

    /// Answers every batch on its way with `outcome`, until none is left.
    mutating func answerAll(_ outcome: SendOutcome, limit: Int = 1000) {
        var count = 0
        while !inFlight.isEmpty, count < limit {
            answer(outcome)
            count += 1
        }
    }

    /// Time passes to `instant`; the timer fires if a wake-up was armed before it.
    mutating func advance(to instant: Duration) {
        now = max(now, instant)
        if let wake, wake <= now {
            self.wake = nil
            feed(.timerFired)
        }
    }

    mutating func advance(by duration: Duration) { advance(to: now + duration) }

    /// Time passes to the armed wake-up, which fires.
    mutating func fireWake() {
        guard let wake else { return }
        advance(to: wake)
    }
}

private func testSettings(batchSize: Int = 10, coalesce: Duration = .milliseconds(100), settle: Duration = .seconds(1),
                          interval: Duration = .seconds(60), backoff: BackoffPolicy = BackoffPolicy(initial: .seconds(1), cap: .seconds(8)),
                          clockHoldLimit: Duration = .seconds(900), holdBoot: String? = nil, refusalsBeforePause: Int = 3,
                          inFlight: Int = 2, lookahead: Int = 4) -> UploaderSettings {
    UploaderSettings(batchSize: batchSize, coalesce: coalesce, settle: settle, interval: interval, backoff: backoff,
                     clockHoldLimit: clockHoldLimit, holdBoot: holdBoot, refusalsBeforePause: refusalsBeforePause,
                     inFlight: inFlight, lookahead: lookahead)
}

private let receipt = BatchReceipt(batch: "b", accepted: 10, duplicates: 0)
private let ok = SendOutcome.delivered(status: 200, receipt: receipt)
private func retry(_ kind: RetryReason.Kind, status: Int? = nil, after: Duration? = nil) -> SendOutcome {
    .retry(RetryReason(kind: kind, status: status, retryAfter: after, message: "\(kind.rawValue) failure"))
}
private let refusal = SendOutcome.refused(status: 400, reason: "samples[2]: not allowed here")

// MARK: - Answer class × state

/// What the receiver said.
enum AnswerClass: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case delivered, network, busy, inProgress, unexpected, refused
    var testDescription: String { rawValue }

    fileprivate var outcome: SendOutcome {
        switch self {
        case .delivered: ok
        case .network: retry(.network)
        case .busy: retry(.busy, status: 503)
        case .inProgress: retry(.inProgress, status: 409)
        case .unexpected: retry(.unexpected, status: 302)
        case .refused: refusal
        }
    }

    var isRetry: Bool { ![.delivered, .refused].contains(self) }
}

/// Where the machine was when the answer came.
enum PriorState: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A fresh drain.
    case draining
    /// Two attempts failed before (backing off).
    case retrying
    /// Two batches refused in a row (one short of the pause).
    case refusedTwice
    /// A `smileyctl sync` request follows the backlog.
    case requested
    var testDescription: String { rawValue }
}

@Suite("Sync state machine: every answer class in every state")
struct SyncAnswerTableTests {
    /// One batch of 10 in the backlog (inFlight 1, so one answer at a time), brought to `state`.
    private static func prepared(_ state: PriorState) -> Harness {
        var h = Harness(settings: testSettings(inFlight: 1), rows: 10)
        switch state {
        case .draining, .requested:
            h.start()
        case .retrying:
            h.start()
            h.answer(retry(.busy, status: 500))
            h.fireWake()
            h.answer(retry(.busy, status: 500))
            h.fireWake()
        case .refusedTwice:
            // Two earlier batches refused: 30 rows, 10 a batch, the third is the one answered.
            h = Harness(settings: testSettings(inFlight: 1), rows: 30)
            h.start()
            h.answer(refusal)
            h.answer(refusal)
        }
        if state == .requested { h.feed(.syncRequested(id: 1, retryQuarantined: false)) }
        #expect(h.inFlight.count == 1, "one batch on its way")
        return h
    }

    @Test(arguments: AnswerClass.allCases, PriorState.allCases)
    func answer(_ answer: AnswerClass, _ state: PriorState) {
        var h = Self.prepared(state)
        let failuresBefore = h.machine.failures
        let refusalsBefore = h.machine.refusalsInARow
        let quarantinedBefore = h.status.quarantinedBatches
        let sentBefore = h.status.sentSinceStart
        let batch = h.inFlight[0]
        let maintainedBefore = h.maintained.count
        h.answer(answer.outcome)

        switch answer {
        case .delivered:
            // The receipt is recorded, the counts read again; nothing left: idle, no timer.
            #expect(h.store.synced.isSuperset(of: batch.samples.map(\.rowID)))
            #expect(h.status.sentSinceStart == sentBefore + 10)
            #expect(h.machine.failures == 0 && h.machine.refusalsInARow == 0)
            #expect(h.status.consecutiveFailures == 0 && h.status.nextAttemptAtMs == nil)
            #expect(h.status.lastSuccessAtMs == h.wallNow)
            if state == .refusedTwice {
                // Nothing else settled is left (the refused ones are quarantined): idle.
                #expect(h.status.state == .idle)
            } else {
                #expect(h.status.state == .idle && h.machine.dueAt == nil)
                #expect(h.status.backlog == 0)
            }
            #expect(h.maintained[maintainedBefore...].contains(true), "a drain that delivered prunes")
            #expect(h.logs.contains { $0.message.hasPrefix("upstream reachable again") } == (state == .retrying))
        case .refused:
            #expect(h.store.quarantined.contains { $0.rowID == batch.rowID })
            #expect(h.status.quarantinedBatches == quarantinedBefore + 1)
            #expect(h.status.lastError == "batch \(batch.id.uuidString.lowercased()) quarantined: samples[2]: not allowed here")
            #expect(h.machine.refusalsInARow == refusalsBefore + 1)
            #expect(h.machine.failures == failuresBefore, "a refusal is no failed attempt")
            if state == .refusedTwice {
                #expect(h.status.state == .paused)
                #expect(h.machine.pausedUntil == h.now + .seconds(60) && h.machine.dueAt == h.now + .seconds(60))
                #expect(h.status.nextAttemptAtMs == h.wallNow + 60_000)
            } else {
                #expect(h.status.state == .idle)
            }
        case .network, .busy, .inProgress, .unexpected:
            // The same batch is tried again after the backoff, with the failure recorded.
            let failures = failuresBefore + 1
            #expect(h.machine.failures == failures)
            #expect(h.status.consecutiveFailures == failures)
            #expect(h.status.lastError == "\(answer.rawValue) failure")
            #expect(h.machine.refusalsInARow == refusalsBefore, "a failed attempt does not end a run of refusals")
            #expect(h.store.open.contains { $0.rowID == batch.rowID }, "kept, same key, same samples")
            #expect(h.actions.contains { if case .recordFailure(let b, _, _, true) = $0 { b.rowID == batch.rowID } else { false } })
            if state == .requested {
                // The request asked for now: the next pass follows at once, the same batch first.
                #expect(h.status.state == .sending)
            } else {
                #expect(h.status.state == .retrying)
                let due = h.machine.dueAt ?? h.now
                #expect(due <= h.now + testSettings().backoff.ceiling(failures: failures))
                #expect(h.status.nextAttemptAtMs == h.wallNow + BackoffPolicy.milliseconds(due - h.now))
                h.advance(to: due)
            }
            #expect(h.inFlight.first?.id == batch.id)
        }

        if state == .requested {
            let steps = h.progress[1] ?? []
            #expect(steps.first?.remaining == 10 && steps.first?.sent == 0)
            switch answer {
            case .delivered:
                #expect(h.finished.contains(1))
                #expect(steps.last == SyncProgress(remaining: 0, quarantined: 0, sent: 10, finished: true))
            case .refused:
                #expect(h.finished.contains(1), "quarantined samples end a request")
                #expect(steps.last?.quarantined == 10 && steps.last?.remaining == 0 && steps.last?.finished == true)
            default:
                #expect(!h.finished.contains(1))
                #expect(steps.contains { $0.lastError == "\(answer.rawValue) failure" && $0.nextAttemptAtMs != nil })
            }
        }
    }
}

// MARK: - Backoff and Retry-After

struct BackoffCase: Sendable, CustomTestStringConvertible {
    var name: String
    var failures: Int
    var retryAfter: Duration?
    var testDescription: String { name }
}

@Suite("Sync state machine: backoff and Retry-After")
struct SyncBackoffTests {
    static let cases: [BackoffCase] = [
        BackoffCase(name: "first failure: up to the initial wait", failures: 1, retryAfter: nil),
        BackoffCase(name: "third failure: up to 4× the initial", failures: 3, retryAfter: nil),
        BackoffCase(name: "tenth failure: capped", failures: 10, retryAfter: nil),
        BackoffCase(name: "Retry-After longer than the backoff wins", failures: 1, retryAfter: .seconds(30)),
        BackoffCase(name: "Retry-After shorter than the backoff: the backoff", failures: 4, retryAfter: .milliseconds(1)),
        BackoffCase(name: "Retry-After zero", failures: 2, retryAfter: .zero),
    ]

    @Test(arguments: cases)
    func wait(_ c: BackoffCase) {
        let settings = testSettings(inFlight: 1)
        var h = Harness(settings: settings, rows: 10, seed: 42)
        h.start()
        for _ in 1..<c.failures {
            h.answer(retry(.busy, status: 503))
            h.fireWake()
        }
        // The jitter the machine will draw for this failure, from a copy of its generator.
        var jitter = h.machine.jitter
        let draw = settings.backoff.delay(failures: c.failures, using: &jitter)
        h.answer(retry(.busy, status: 429, after: c.retryAfter))
        let expected = max(draw, c.retryAfter ?? .zero)
        #expect(h.machine.failures == c.failures)
        #expect(draw <= settings.backoff.ceiling(failures: c.failures))
        #expect(h.machine.dueAt == h.now + expected)
        #expect(h.machine.serverAskedUntil == c.retryAfter.map { h.now + $0 })
        #expect(h.status.nextAttemptAtMs == h.wallNow + BackoffPolicy.milliseconds(expected))
        // Nothing goes before the wait is over; then the same batch goes again.
        let batch = h.store.open[0]
        if expected > .zero {
            h.advance(by: expected - .milliseconds(1))
            #expect(h.inFlight.isEmpty)
        }
        h.advance(to: h.machine.dueAt ?? h.now)
        #expect(h.inFlight.map(\.id) == [batch.id])
    }

    @Test("the backoff's ceiling doubles from the initial wait up to the cap", arguments: [
        (1, 1), (2, 2), (3, 4), (4, 8), (5, 8), (40, 8), (1000, 8),
    ])
    func ceiling(_ failures: Int, _ seconds: Int) {
        #expect(testSettings().backoff.ceiling(failures: failures) == .seconds(seconds))
    }

    struct NetworkCase: Sendable, CustomTestStringConvertible {
        var name: String
        var answer: AnswerClass
        var retryAfter: Duration?
        var cutsShort: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        NetworkCase(name: "no network: a returning network retries in 300 ms", answer: .network, retryAfter: nil, cutsShort: true),
        NetworkCase(name: "the receiver was busy: the network is not the cause", answer: .busy, retryAfter: nil, cutsShort: false),
        NetworkCase(name: "the receiver asked to wait (Retry-After): its wait holds", answer: .network, retryAfter: .seconds(120), cutsShort: false),
    ])
    func networkUp(_ c: NetworkCase) {
        var h = Harness(settings: testSettings(backoff: BackoffPolicy(initial: .seconds(600), cap: .seconds(600)), inFlight: 1),
                        rows: 10, seed: 3)
        h.start()
        h.answer(c.answer == .network ? retry(.network, after: c.retryAfter) : retry(.busy, status: 503, after: c.retryAfter))
        let before = h.machine.dueAt
        h.advance(by: .seconds(1))
        h.feed(.networkUp)
        if c.cutsShort {
            #expect(h.machine.dueAt == h.now + .milliseconds(300))
            #expect(h.logs.contains { $0.message == "network changed: retrying now instead of waiting out the backoff" })
            h.advance(by: .milliseconds(300))
            #expect(h.inFlight.count == 1)
        } else {
            #expect(h.machine.dueAt == before)
        }
    }

    @Test("a sync request ignores the backoff but not the receiver's Retry-After")
    func requestAndRetryAfter() {
        var h = Harness(settings: testSettings(inFlight: 1), rows: 10)
        h.start()
        h.answer(retry(.busy, status: 503))
        h.feed(.syncRequested(id: 1, retryQuarantined: false))
        #expect(h.inFlight.count == 1, "sent at once")
        #expect(h.machine.failures == 0)
        h.answer(retry(.busy, status: 429, after: .seconds(20)))
        h.advance(by: .seconds(5))
        h.feed(.syncRequested(id: 2, retryQuarantined: false))
        #expect(h.machine.dueAt == h.now + .seconds(15), "at the end of the receiver's wait")
        #expect(h.inFlight.isEmpty)
    }
}

// MARK: - Pause after refusals

@Suite("Sync state machine: the pause after refusals")
struct SyncPauseTests {
    @Test("refusals in a row pause new batches for the interval; then sending resumes", arguments: [1, 2, 3, 5])
    func pause(_ limit: Int) {
        var h = Harness(settings: testSettings(interval: .seconds(60), refusalsBeforePause: limit, inFlight: 1), rows: 100)
        h.start()
        for _ in 0..<limit { h.answer(refusal) }
        #expect(h.status.state == .paused)
        #expect(h.status.quarantinedBatches == limit)
        #expect(h.inFlight.isEmpty, "no new batch while paused")
        #expect(h.machine.dueAt == h.now + .seconds(60))
        #expect(h.logs.contains { $0.message == "the receiver refused \(limit) batches in a row; pausing" })
        // New presses during the pause wait for it.
        h.store.newest += 1
        h.feed(.samplesCommitted(1))
        #expect(h.machine.dueAt == .seconds(60) && h.inFlight.isEmpty)
        h.advance(by: .seconds(59))
        #expect(h.inFlight.isEmpty)
        h.advance(by: .seconds(1))
        #expect(h.machine.pausedUntil == nil && h.machine.refusalsInARow == 0)
        #expect(h.inFlight.count == 1 && h.status.state == .sending)
    }

    @Test("a delivery between refusals ends the run (once its receipt is recorded)")
    func deliveryResets() {
        // One batch formed at a time: each receipt is recorded with the forming of the next.
        var h = Harness(settings: testSettings(refusalsBeforePause: 3, inFlight: 1, lookahead: 1), rows: 100)
        h.start()
        h.answer(refusal)
        h.answer(refusal)
        h.answer(ok)
        #expect(h.machine.refusalsInARow == 0)
        h.answer(refusal)
        h.answer(refusal)
        #expect(h.status.state != .paused && h.inFlight.count == 1)
    }

    @Test("a sync request lifts the pause")
    func requestLiftsPause() {
        var h = Harness(settings: testSettings(refusalsBeforePause: 1, inFlight: 1), rows: 30)
        h.start()
        h.answer(refusal)
        #expect(h.status.state == .paused)
        h.feed(.syncRequested(id: 1, retryQuarantined: false))
        #expect(h.machine.pausedUntil == nil && h.inFlight.count == 1)
    }
}

// MARK: - The settle window

struct SettleCase: Sendable, CustomTestStringConvertible {
    var coalesce: Duration
    var settle: Duration
    var testDescription: String { "coalesce \(coalesce), settle \(settle)" }
}

@Suite("Sync state machine: the settle window")
struct SyncSettleTests {
    @Test("new rows go once they have settled and the coalescing window is over", arguments: [
        SettleCase(coalesce: .milliseconds(100), settle: .seconds(3)),
        SettleCase(coalesce: .seconds(5), settle: .seconds(1)),
        SettleCase(coalesce: .zero, settle: .zero),
        SettleCase(coalesce: .milliseconds(250), settle: .milliseconds(250)),
    ])
    func window(_ c: SettleCase) {
        var h = Harness(settings: testSettings(coalesce: c.coalesce, settle: c.settle), rows: 0)
        h.start()
        #expect(h.status.state == .idle && h.machine.dueAt == nil, "nothing to send, no timer")
        h.advance(by: .seconds(10))
        h.store.newest = 3
        h.feed(.samplesCommitted(3))
        let wait = max(c.coalesce, c.settle)
        if wait > .zero {
            #expect(h.machine.dueAt == h.now + wait && h.wake == h.now + wait)
            #expect(h.status.state == .waiting && h.status.backlog == 3)
            h.advance(by: wait - .milliseconds(1))
            #expect(h.inFlight.isEmpty)
            h.advance(by: .milliseconds(1))
        }
        #expect(h.inFlight.count == 1 && h.inFlight[0].samples.map(\.rowID) == [1, 2, 3])
    }

    @Test("rows committed less than `settle` ago stay out of a batch; the drain comes back for them")
    func unsettledRowsWait() {
        var h = Harness(settings: testSettings(coalesce: .zero, settle: .seconds(3), inFlight: 1), rows: 10)
        h.start()
        // Ten settled rows go; five new ones arrive while the first batch is on its way.
        h.advance(by: .seconds(1))
        h.store.newest = 15
        h.feed(.samplesCommitted(5))
        h.answer(ok)
        #expect(h.inFlight.isEmpty, "rows 11–15 have not settled")
        #expect(h.status.state == .waiting)
        #expect(h.machine.dueAt == .seconds(4), "when the snapshot of row 15 has settled")
        h.advance(to: .seconds(4))
        #expect(h.inFlight.first?.samples.map(\.rowID) == Array(11...15))
    }

    @Test("the snapshots of the horizon are throttled to one per 100 ms and capped at 64")
    func snapshots() {
        var h = Harness(settings: testSettings(coalesce: .zero, settle: .seconds(3600)), rows: 0)
        h.start()
        for i in 1...200 {
            h.advance(by: .milliseconds(50))
            h.store.newest = Int64(i)
            h.feed(.samplesCommitted(1))
        }
        #expect(h.machine.snapshots.count == 64)
        #expect(h.machine.snapshots.last?.rowID == 199, "one read per 100 ms")
        #expect(zip(h.machine.snapshots, h.machine.snapshots.dropFirst()).allSatisfy { $0.rowID < $1.rowID && $0.at < $1.at })
    }
}

// MARK: - The clock hold

@Suite("Sync state machine: the clock hold")
struct SyncClockHoldTests {
    private static func held(limit: Duration = .seconds(900)) -> Harness {
        var h = Harness(settings: testSettings(interval: .seconds(60), clockHoldLimit: limit, holdBoot: "this-boot"), rows: 15)
        h.store.heldFrom = 11
        return h
    }

    @Test("this boot's uncorrected samples wait; the others go; the correction releases them")
    func holdThenCorrect() {
        var h = Self.held()
        h.start()
        #expect(h.inFlight.map { $0.samples.map(\.rowID) } == [Array(1...10)])
        h.answer(ok)
        #expect(h.status.holdingForClock && h.status.state == .waiting)
        #expect(h.machine.dueAt == h.now + .seconds(60), "looked at again at the interval")
        #expect(h.logs.contains { $0.message == "samples taken before the clock synchronized wait for its correction" && $0.metadata["boot"] == "this-boot" })
        h.advance(by: .seconds(60))
        #expect(h.inFlight.isEmpty && h.status.holdingForClock)
        h.advance(by: .seconds(5))
        h.store.heldFrom = nil
        h.feed(.clockSynchronized)
        #expect(h.machine.holdBoot == nil)
        #expect(h.inFlight.map { $0.samples.map(\.rowID) } == [Array(11...15)])
        h.answer(ok)
        #expect(!h.status.holdingForClock && h.status.state == .idle && h.machine.dueAt == nil)
    }

    @Test("the hold ends at its limit: the samples go uncorrected")
    func holdLimit() {
        var h = Self.held(limit: .seconds(90))
        h.start()
        h.answer(ok)
        #expect(h.status.holdingForClock)
        h.advance(to: .seconds(60))
        #expect(h.machine.dueAt == .seconds(90), "the recheck does not pass the limit")
        h.advance(to: .seconds(90))
        #expect(h.inFlight.map { $0.samples.map(\.rowID) } == [Array(11...15)])
    }

    @Test("a sync request sends the held samples at once")
    func requestIgnoresHold() {
        var h = Self.held()
        h.start()
        h.answer(ok)
        h.feed(.syncRequested(id: 1, retryQuarantined: false))
        #expect(h.inFlight.map { $0.samples.map(\.rowID) } == [Array(11...15)])
        h.answer(ok)
        #expect(h.finished.contains(1))
    }

    @Test("a correction without a hold changes nothing")
    func correctionWithoutHold() {
        var h = Harness(rows: 0)
        h.start()
        h.feed(.clockSynchronized)
        #expect(h.machine.dueAt == nil && h.logs.isEmpty)
    }
}

// MARK: - Quarantine and requeue

@Suite("Sync state machine: quarantine and requeue")
struct SyncQuarantineTests {
    @Test("a refused batch is quarantined and the rest goes on; --retry-quarantined puts it back under its key")
    func quarantineThenRequeue() {
        var h = Harness(settings: testSettings(inFlight: 1), rows: 30)
        h.start()
        h.answer(ok)
        let refused = h.inFlight[0]
        h.answer(refusal)
        h.answer(ok)
        #expect(h.status.state == .idle)
        #expect(h.status.quarantinedBatches == 1 && h.status.quarantinedSamples == 10)
        #expect(h.status.sentSinceStart == 20)
        h.feed(.syncRequested(id: 1, retryQuarantined: true))
        #expect(h.actions.contains { if case .prepareRequest(1, true) = $0 { true } else { false } })
        #expect(h.logs.contains { $0.message == "quarantined batches put back in line" && $0.metadata == ["batches": "1", "samples": "10"] })
        #expect(h.inFlight.map(\.id) == [refused.id], "the same batch, the same key")
        h.answer(ok)
        #expect(h.finished.contains(1))
        #expect(h.progress[1]?.last == SyncProgress(remaining: 0, quarantined: 0, sent: 10, finished: true))
        #expect(h.status.quarantinedBatches == 0 && h.status.backlog == 0)
    }

    @Test("a request with only quarantined samples left ends at once, naming them")
    func onlyQuarantined() {
        var h = Harness(settings: testSettings(inFlight: 1), rows: 10)
        h.start()
        h.answer(refusal)
        h.feed(.syncRequested(id: 4, retryQuarantined: false))
        #expect(h.finished.contains(4))
        #expect(h.progress[4] == [SyncProgress(remaining: 0, quarantined: 10, sent: 0,
                                               lastError: h.status.lastError, finished: true)])
    }

    @Test("a quarantine that cannot be recorded is a store failure: back off")
    func quarantineFails() {
        var h = Harness(settings: testSettings(inFlight: 1), rows: 10)
        h.start()
        h.store.failing = true
        h.answer(refusal)
        #expect(h.status.state == .retrying && h.status.lastError == "quarantining failed")
        #expect(h.status.quarantinedBatches == 0 && h.machine.failures == 1)
        #expect(h.logs.contains { $0.message == "the sync cannot use the database; retrying" })
    }
}

// MARK: - Store, requests, start and stop

@Suite("Sync state machine: the store, requests, start and stop")
struct SyncLifecycleTests {
    @Test("at start: counts, maintenance with pruning, and a backlog goes at once")
    func start() {
        var h = Harness(rows: 25)
        h.start()
        guard case .recount = h.actions.first else {
            Issue.record("the first action reads the counts")
            return
        }
        #expect(h.maintained == [true])
        #expect(h.inFlight.count == 2, "two batches on their way at once")
        #expect(h.store.open.count == 3, "formed four at a time, at most: three batches of 10, 10, 5")
        #expect(h.status.state == .sending && h.status.backlog == 25)
    }

    @Test("an empty database: idle, no timer")
    func idle() {
        var h = Harness(rows: 0)
        h.start()
        #expect(h.status.state == .idle && h.machine.dueAt == nil && h.wake == nil && h.inFlight.isEmpty)
    }

    @Test("while commits fail no batch is formed; recovery sends at once")
    func storeFailing() {
        var h = Harness(settings: testSettings(coalesce: .zero, settle: .zero), rows: 0)
        h.start()
        h.feed(.storeHealth(failing: true))
        h.store.newest = 5
        h.feed(.samplesCommitted(5))
        #expect(h.inFlight.isEmpty && h.status.state == .waiting)
        h.feed(.storeHealth(failing: false))
        #expect(h.inFlight.count == 1)
    }

    @Test("a forming transaction that fails backs off and tries again")
    func settleFails() {
        var h = Harness(settings: testSettings(inFlight: 1), rows: 10)
        h.start()
        h.store.failing = true
        h.answer(ok)
        #expect(h.status.state == .retrying && h.machine.failures == 1)
        #expect(h.status.lastError == "recording acknowledged batches failed: disk full")
        h.store.failing = false
        h.fireWake()
        #expect(h.inFlight.count == 1)
    }

    @Test("a request whose database cannot be read fails at once with the reason")
    func requestFails() {
        var h = Harness(rows: 0)
        h.start()
        h.store.failing = true
        h.feed(.syncRequested(id: 9, retryQuarantined: false))
        #expect(h.finished.contains(9))
        #expect(h.progress[9]?.last?.failure == "reading the newest sample in test.sqlite failed: disk I/O error")
    }

    @Test("a request counts only the samples it covers; later ones are not its")
    func requestHorizon() {
        var h = Harness(settings: testSettings(coalesce: .zero, settle: .zero, inFlight: 1), rows: 5)
        h.start()
        h.feed(.syncRequested(id: 1, retryQuarantined: false))
        h.store.newest = 12
        h.feed(.samplesCommitted(7))
        h.answer(ok)
        #expect(h.finished.contains(1))
        #expect(h.progress[1]?.last?.sent == 5)
    }

    @Test("a dropped request is no longer followed; stop ends the others and ignores what comes after")
    func dropAndStop() {
        var h = Harness(settings: testSettings(inFlight: 1), rows: 30)
        h.start()
        h.feed(.syncRequested(id: 1, retryQuarantined: false))
        h.feed(.syncRequested(id: 2, retryQuarantined: false))
        h.feed(.requestDropped(id: 1))
        #expect(h.machine.requestIDs == [2])
        h.feed(.stop)
        #expect(h.finished == [2] && h.machine.phase == .stopped)
        let before = h.actions.count
        h.feed(.samplesCommitted(1))
        h.answer(ok)
        #expect(h.actions.count == before)
    }

    @Test("heartbeats and the disk check show in the status")
    func heartbeatAndDisk() {
        var h = Harness(rows: 0)
        h.start()
        h.feed(.heartbeat(atMs: 123, error: nil))
        h.feed(.heartbeat(atMs: nil, error: "no answer"))
        h.feed(.diskChecked(freeBytes: 42, warning: "low"))
        #expect(h.status.lastHeartbeatAtMs == 123 && h.status.lastHeartbeatError == "no answer")
        #expect(h.status.diskFreeBytes == 42 && h.status.lowDisk == "low")
    }

    @Test("up to `inFlight` batches on their way; a failure stops new ones but the others' answers count")
    func inFlightAndFailure() {
        var h = Harness(settings: testSettings(inFlight: 2), rows: 40)
        h.start()
        #expect(h.inFlight.count == 2)
        let second = h.inFlight[1]
        h.answer(retry(.network))
        #expect(h.inFlight.map(\.id) == [second.id], "no new batch after a failure")
        h.answer(retry(.network))
        #expect(h.failuresRecorded == 2, "the second failure is recorded too")
        #expect(h.machine.failures == 1, "one failed attempt per pass")
        #expect(h.status.state == .retrying)
    }
}

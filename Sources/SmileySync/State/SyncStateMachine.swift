import Foundation
import SmileyStore

/// Every decision of the upstream sync, as a pure state machine: when a pass runs, which batches
/// it forms and sends, what a receiver's answer means (receipt, retry with backoff and
/// Retry-After, quarantine, the pause after refusals), which rows are settled, how long samples
/// wait for the clock, how a `smileyctl sync` request progresses, and what the status says.
///
/// It performs no I/O and reads no clock: the shell (``Uploader``) feeds it ``SyncEvent``s with the
/// time they happened and carries out the ``SyncAction``s it returns, feeding the results of
/// store actions and sends back as events. Deadlines are on ``SyncTime/elapsed``'s scale.
///
/// A pass: snapshot the horizon, then form a few batches at a time (each committed before it is
/// sent), keep up to `inFlight` on their way, record receipts with the next forming transaction;
/// it ends when nothing settled is left to send or an attempt failed, and then decides the next
/// wake-up (a backoff, the pause, rows still settling, samples held for the clock, or none).
///
/// Exactly once, end to end: a batch's UUID and members are committed before its first send and
/// never change; every retry re-sends them under the same Idempotency-Key. A sample is marked
/// synced only after a receipt that accounts for the whole batch.
public struct SyncStateMachine: Sendable {
    public enum Phase: Sendable, Hashable {
        /// Not started: events change the state, no pass runs.
        case created
        /// Reading the counts before the first pass.
        case starting
        case running
        /// Stopped: every event is ignored.
        case stopped
    }

    public let settings: UploaderSettings
    public private(set) var status: SyncStatus
    public private(set) var phase: Phase = .created
    /// The next pass is due at this instant; nil: idle, no timer.
    public private(set) var dueAt: Duration?
    /// The wake-up last asked of the shell (nil: none armed).
    public private(set) var armedWake: Duration?
    /// Rows up to this id are settled.
    public private(set) var settledHorizon: Int64
    public private(set) var failures = 0
    public private(set) var refusalsInARow = 0
    public private(set) var pausedUntil: Duration?
    /// The boot whose uncorrected samples are held for the clock (nil once it synchronized).
    public private(set) var holdBoot: String?
    /// Until when the receiver asked to be left alone (Retry-After).
    public private(set) var serverAskedUntil: Duration?

    private(set) var snapshots: [HorizonSnapshot] = []
    private(set) var lastRetryKind: RetryReason.Kind?
    private(set) var storeFailing = false
    private(set) var requests: [Int: SyncRequestState] = [:]
    private(set) var pass: SyncPass?
    private(set) var jitter: SyncJitter
    private var now = SyncTime(elapsed: .zero, wallMs: 0)
    private var actions: [SyncAction] = []

    /// - Parameters:
    ///   - settledHorizon: rows up to this id are settled from the start (what an earlier run left
    ///     can no longer change).
    ///   - jitter: the backoff's random draws.
    public init(settings: UploaderSettings, url: String, settledHorizon: Int64, jitter: SyncJitter = .random()) {
        self.settings = settings
        self.status = SyncStatus(url: url)
        self.settledHorizon = settledHorizon
        self.holdBoot = settings.holdBoot
        self.jitter = jitter
    }

    /// A pass is running.
    public var isInPass: Bool { pass != nil }

    /// Requests being followed.
    public var requestIDs: [Int] { requests.keys.sorted() }

    /// Feeds one event that happened at `time`; returns what to do, in order.
    public mutating func handle(_ event: SyncEvent, at time: SyncTime) -> [SyncAction] {
        guard phase != .stopped else { return [] }
        // The monotonic scale never goes back.
        now = SyncTime(elapsed: max(time.elapsed, now.elapsed), wallMs: time.wallMs)
        actions = []
        switch event {
        case .start: start()
        case .samplesCommitted(let inserted): samplesCommitted(inserted)
        case .clockSynchronized: clockSynchronized()
        case .networkUp: networkUp()
        case .storeHealth(let failing): storeHealth(failing: failing)
        case .syncRequested(let id, let retryQuarantined):
            emit(.prepareRequest(id: id, retryQuarantined: retryQuarantined))
        case .requestDropped(let id): requests[id] = nil
        case .heartbeat(let atMs, let error):
            if let atMs { status.lastHeartbeatAtMs = atMs }
            status.lastHeartbeatError = error
            publish()
        case .diskChecked(let freeBytes, let warning):
            status.diskFreeBytes = freeBytes
            status.lowDisk = warning
            publish()
        case .timerFired: armedWake = nil
        case .stop: stop()
        case .counted(let counts): counted(counts)
        case .newestRowRead(let rowID): newestRowRead(rowID)
        case .requestPrepared(let id, let prepared): requestPrepared(id, prepared)
        case .requestFailed(let id, let error):
            var failed = SyncProgress(remaining: 0, quarantined: 0, sent: 0, lastError: error, finished: true)
            failed.failure = error
            emit(.progress(id: id, failed))
            emit(.finishRequest(id: id))
        case .requestsCounted(let counts): requestsCounted(counts)
        case .settled(let result): settled(result)
        case .answered(let batch, let outcome): answered(batch, outcome)
        case .quarantineRecorded(let batch, let httpStatus, let reason, let error):
            quarantineRecorded(batch, status: httpStatus, reason: reason, error: error)
        case .probed(let unheld): probed(unheld)
        }
        runLoop()
        defer { actions = [] }
        return actions
    }

    // MARK: - Triggers

    private mutating func start() {
        guard phase == .created else { return }
        phase = .starting
        emit(.recount)
    }

    /// New presses: send them after the coalescing window (and once settled).
    private mutating func samplesCommitted(_ inserted: Int) {
        status.backlog += inserted
        if snapshots.last.map({ now.elapsed - $0.at >= .milliseconds(100) }) ?? true {
            emit(.readNewestRow)
        }
        guard failures == 0, pausedUntil == nil else {
            publish()
            return
        }
        let due = now.elapsed + max(settings.coalesce, settings.settle)
        if dueAt.map({ $0 > due }) ?? true { schedule(due) }
        if status.state == .idle { status.state = .waiting }
        publish()
    }

    /// The correction is committed: the samples held for it go now.
    private mutating func clockSynchronized() {
        guard holdBoot != nil else { return }
        holdBoot = nil
        log(.info, "clock corrected: sending the samples held for it")
        schedule(now.elapsed)
    }

    /// If the last attempt found no network, try again shortly instead of waiting out the backoff
    /// (unless the receiver itself asked for a pause with Retry-After).
    private mutating func networkUp() {
        guard failures > 0, lastRetryKind == .network else { return }
        if let asked = serverAskedUntil, asked > now.elapsed { return }
        log(.info, "network changed: retrying now instead of waiting out the backoff")
        schedule(now.elapsed + .milliseconds(300))
    }

    /// No batches are formed while commits fail.
    private mutating func storeHealth(failing: Bool) {
        storeFailing = failing
        if !failing { schedule(now.elapsed) }
    }

    private mutating func stop() {
        phase = .stopped
        for id in requests.keys.sorted() { emit(.finishRequest(id: id)) }
        requests.removeAll()
        pass = nil
        dueAt = nil
        armedWake = nil
    }

    // MARK: - Results outside a pass

    private mutating func counted(_ counts: SyncCounts?) {
        if let counts { apply(counts) }
        if phase == .starting {
            phase = .running
            emit(.maintain(prune: true))
            // Anything left from before (a backlog, a batch in flight at a crash) goes at once.
            if status.backlog - status.quarantinedSamples > 0 { schedule(now.elapsed) }
            publish()
        } else if pass?.step == .recounting {
            afterDrainCounts()
        }
    }

    private mutating func newestRowRead(_ rowID: Int64?) {
        if let rowID { takeSnapshot(rowID) }
        if pass?.step == .snapshot {
            promoteSnapshots()
            passLoop()
        }
    }

    /// `smileyctl sync`: send everything unsynced now, ignoring the backoff, the pause and the
    /// clock hold; the request ends once every sample unsynced at its coming is synced (or
    /// quarantined).
    private mutating func requestPrepared(_ id: Int, _ prepared: PreparedRequest) {
        if prepared.requeuedBatches > 0 {
            log(.notice, "quarantined batches put back in line",
                ["batches": "\(prepared.requeuedBatches)", "samples": "\(prepared.requeuedSamples)"])
        }
        snapshots.append(HorizonSnapshot(rowID: prepared.horizon, at: now.elapsed))
        if let counts = prepared.counts { apply(counts) }
        let progress = SyncProgress(remaining: prepared.unsynced.pending - prepared.unsynced.quarantined,
                                    quarantined: prepared.unsynced.quarantined, sent: 0, lastError: status.lastError,
                                    nextAttemptAtMs: status.nextAttemptAtMs)
        if progress.remaining == 0 {
            var done = progress
            done.finished = true
            emit(.progress(id: id, done))
            emit(.finishRequest(id: id))
            return
        }
        requests[id] = SyncRequestState(horizon: prepared.horizon, progress: progress)
        emit(.progress(id: id, progress))
        // Batches recorded while the counts were read are not in them: count again now that the
        // request follows every batch.
        verifyRequests()
        failures = 0
        refusalsInARow = 0
        pausedUntil = nil
        schedule(serverAskedUntil.map { max($0, now.elapsed) } ?? now.elapsed, urgent: true)
    }

    /// Finishes the requests with nothing left unsynced (quarantined ones aside). The running
    /// counts can be off by a batch or two when a request arrives while batches are being
    /// recorded; the database is not.
    private mutating func requestsCounted(_ counts: [Int: UnsyncedCount]) {
        for id in counts.keys.sorted() {
            guard let count = counts[id], var current = requests[id] else { continue }
            current.progress.remaining = count.pending - count.quarantined
            current.progress.quarantined = count.quarantined
            if current.progress.remaining <= 0 {
                current.progress.remaining = 0
                current.progress.finished = true
                emit(.progress(id: id, current.progress))
                emit(.finishRequest(id: id))
                requests[id] = nil
            } else {
                requests[id] = current
            }
        }
    }

    // MARK: - Scheduling

    /// Runs a pass when one is due; otherwise keeps the shell's wake-up on the due instant.
    private mutating func runLoop() {
        while phase == .running, pass == nil, let due = dueAt, due <= now.elapsed {
            dueAt = nil
            armedWake = nil
            beginPass()
        }
        guard phase == .running, pass == nil, let due = dueAt, due != armedWake else { return }
        armedWake = due
        emit(.wake(at: due))
    }

    /// While a pass runs, triggers only move the due instant earlier: the pass's own plan (a
    /// backoff) never delays what a trigger asked for. `urgent` (a sync request) replaces it.
    private mutating func schedule(_ instant: Duration, urgent: Bool = false) {
        if pass != nil {
            if dueAt.map({ $0 > instant }) ?? true { dueAt = instant }
            return
        }
        if dueAt.map({ $0 > instant }) ?? true || urgent { dueAt = instant }
    }

    // MARK: - A pass

    private mutating func beginPass() {
        if let until = pausedUntil, until <= now.elapsed {
            pausedUntil = nil
            refusalsInARow = 0
        }
        guard !storeFailing else {
            status.state = .waiting
            publish()
            return
        }
        pass = SyncPass()
        emit(.readNewestRow)
    }

    /// The top of the pass's loop: room on the way and nothing formed — record what was
    /// acknowledged and form the next few; otherwise launch.
    private mutating func passLoop() {
        guard var current = pass else { return }
        if current.queue.isEmpty, !current.stopLaunching, !current.exhausted, current.inFlight.count < settings.inFlight {
            current.step = .forming
            pass = current
            emit(.settle(delivered: current.acknowledged.map(\.delivered), form: selection(),
                         count: settings.lookahead, excluding: current.inFlight))
            return
        }
        launchAndWait()
    }

    private mutating func launchAndWait() {
        guard var current = pass else { return }
        while !current.stopLaunching, current.inFlight.count < settings.inFlight, !current.queue.isEmpty {
            let batch = current.queue.removeFirst()
            current.inFlight.insert(batch.rowID)
            status.state = .sending
            status.lastAttemptAtMs = now.wallMs
            emit(.send(batch))
        }
        publish()
        guard !current.inFlight.isEmpty else {
            pass = current
            endLoop()
            return
        }
        current.step = .answers
        if !current.deferredAnswers.isEmpty {
            let (batch, outcome) = current.deferredAnswers.removeFirst()
            pass = current
            handleAnswer(batch, outcome)
            return
        }
        pass = current
    }

    private mutating func settled(_ result: Result<[SyncBatch], StoreFailure>) {
        guard var current = pass else { return }
        switch current.step {
        case .forming:
            switch result {
            case .success(let formed):
                let acknowledged = current.acknowledged
                current.acknowledged.removeAll()
                current.deliveredAny = current.deliveredAny || !acknowledged.isEmpty
                current.exhausted = formed.isEmpty
                current.queue.append(contentsOf: formed)
                pass = current
                for item in acknowledged { delivered(item.delivered.batch, receipt: item.receipt) }
                if requests.values.contains(where: { $0.progress.remaining <= 0 }) { verifyRequests() }
            case .failure(let error):
                current.storeError = current.storeError ?? error.description
                current.stopLaunching = true
                pass = current
            }
            launchAndWait()
        case .recordingLast:
            let acknowledged = current.acknowledged
            current.acknowledged.removeAll()
            switch result {
            case .success:
                current.deliveredAny = true
                pass = current
                for item in acknowledged { delivered(item.delivered.batch, receipt: item.receipt) }
            case .failure(let error):
                // The receiver has them; they stay in flight here and are re-sent (replays).
                current.storeError = current.storeError ?? error.description
                pass = current
            }
            verifyRequests()
            conclude()
        default:
            return
        }
    }

    private mutating func answered(_ batch: SyncBatch, _ outcome: SendOutcome) {
        guard var current = pass, current.inFlight.contains(batch.rowID) else { return }
        guard current.step == .answers else {
            current.deferredAnswers.append((batch, outcome))
            pass = current
            return
        }
        handleAnswer(batch, outcome)
    }

    private mutating func handleAnswer(_ batch: SyncBatch, _ outcome: SendOutcome) {
        guard var current = pass else { return }
        current.inFlight.remove(batch.rowID)
        switch outcome {
        case .delivered(let httpStatus, let receipt):
            current.acknowledged.append((DeliveredBatch(batch: batch, status: httpStatus), receipt))
            pass = current
            passLoop()
        case .retry(let reason):
            current.stopLaunching = true
            if current.firstRetry == nil {
                current.firstRetry = (batch, reason)
            } else {
                emit(.recordFailure(batch, status: reason.status, message: reason.message, logFailure: false))
            }
            pass = current
            passLoop()
        case .refused(let httpStatus, let reason):
            current.step = .quarantining
            pass = current
            emit(.quarantine(batch, status: httpStatus, reason: reason))
        }
    }

    private mutating func quarantineRecorded(_ batch: SyncBatch, status httpStatus: Int, reason: String, error: StoreFailure?) {
        guard var current = pass, current.step == .quarantining else { return }
        if let error {
            current.storeError = current.storeError ?? error.description
            current.stopLaunching = true
            pass = current
        } else {
            pass = current
            refused(batch, status: httpStatus, reason: reason)
            if refusalsInARow >= settings.refusalsBeforePause {
                current.stopLaunching = true
                current.pauseReason = reason
                pass = current
            }
        }
        passLoop()
    }

    /// Nothing more on its way: record the last receipts, then conclude.
    private mutating func endLoop() {
        guard var current = pass else { return }
        if requests.values.contains(where: { $0.progress.remaining <= 0 }) { verifyRequests() }
        if !current.acknowledged.isEmpty {
            current.step = .recordingLast
            pass = current
            emit(.settle(delivered: current.acknowledged.map(\.delivered), form: nil, count: 0, excluding: []))
            return
        }
        verifyRequests()
        conclude()
    }

    private mutating func conclude() {
        guard var current = pass else { return }
        if let error = current.storeError {
            pass = nil
            storeTrouble(error)
        } else if let (batch, reason) = current.firstRetry {
            pass = nil
            retryLater(batch, reason)
        } else if let reason = current.pauseReason {
            pass = nil
            pause(reason)
        } else if current.deliveredAny {
            current.step = .recounting
            pass = current
            emit(.recount)
        } else {
            afterDrainCounts()
        }
    }

    /// After a drain: maintenance, then wait for unsettled rows, held samples or nothing at all.
    private mutating func afterDrainCounts() {
        guard var current = pass else { return }
        emit(.maintain(prune: current.deliveredAny))
        // Rows newer than the settled horizon: come back once they have settled.
        current.settleWake = snapshots.first(where: { $0.rowID > settledHorizon }).map { $0.at + settings.settle }
        if effectiveHold() != nil {
            var unheld = selection()
            unheld.holdUncorrectedOfBoot = nil
            current.step = .probing
            pass = current
            emit(.probeUnheld(unheld))
            return
        }
        pass = current
        finishDrain(holding: false)
    }

    private mutating func probed(_ unheld: Bool?) {
        guard pass?.step == .probing else { return }
        finishDrain(holding: unheld ?? false)
    }

    /// Samples held for the clock: look again at the interval, and send them when the hold ends.
    private mutating func finishDrain(holding: Bool) {
        guard let current = pass else { return }
        var next = current.settleWake
        var waiting = next != nil
        if holding {
            let recheck = min(settings.clockHoldLimit, now.elapsed + settings.interval)
            next = next.map { min($0, recheck) } ?? recheck
            waiting = true
            if !status.holdingForClock {
                log(.notice, "samples taken before the clock synchronized wait for its correction", ["boot": holdBoot ?? ""])
            }
        }
        status.holdingForClock = holding
        status.state = waiting ? .waiting : .idle
        if let next { schedule(next) }
        pass = nil
        publish()
    }

    // MARK: - Answers

    private mutating func delivered(_ batch: SyncBatch, receipt: BatchReceipt) {
        if failures > 0 {
            log(.notice, "upstream reachable again; sending resumes", ["failed-attempts": "\(failures)"])
        }
        failures = 0
        lastRetryKind = nil
        serverAskedUntil = nil
        refusalsInARow = 0
        let count = batch.samples.count
        status.backlog = max(0, status.backlog - count)
        status.sentSinceStart += count
        status.lastSuccessAtMs = now.wallMs
        status.consecutiveFailures = 0
        status.nextAttemptAtMs = nil
        log(.debug, "batch delivered", ["batch": batch.id.uuidString.lowercased(), "samples": "\(count)",
                                        "accepted": "\(receipt.accepted)", "duplicates": "\(receipt.duplicates)"])
        for id in requests.keys.sorted() {
            guard var request = requests[id] else { continue }
            let mine = batch.samples.reduce(0) { $0 + ($1.rowID <= request.horizon ? 1 : 0) }
            request.progress.sent += mine
            request.progress.remaining = max(0, request.progress.remaining - mine)
            request.progress.lastError = nil
            request.progress.nextAttemptAtMs = nil
            update(id, request)
        }
        publish()
    }

    private mutating func refused(_ batch: SyncBatch, status httpStatus: Int, reason: String) {
        refusalsInARow += 1
        let count = batch.samples.count
        status.quarantinedBatches += 1
        status.quarantinedSamples += count
        status.lastError = "batch \(batch.id.uuidString.lowercased()) quarantined: \(reason)"
        status.lastErrorAtMs = now.wallMs
        log(.error, "the receiver refused a batch; it is quarantined (kept, not retried until `smileyctl sync --retry-quarantined`)",
            ["batch": batch.id.uuidString.lowercased(), "samples": "\(count)", "reason": reason])
        for id in requests.keys.sorted() {
            guard var request = requests[id] else { continue }
            let mine = batch.samples.reduce(0) { $0 + ($1.rowID <= request.horizon ? 1 : 0) }
            request.progress.quarantined += mine
            request.progress.remaining = max(0, request.progress.remaining - mine)
            request.progress.lastError = status.lastError
            update(id, request)
        }
        publish()
    }

    /// The first failed attempt of a pass: back off (at least as long as Retry-After asks) and
    /// send the same batch again.
    private mutating func retryLater(_ batch: SyncBatch, _ reason: RetryReason) {
        failures += 1
        lastRetryKind = reason.kind
        var wait = settings.backoff.delay(failures: failures, using: &jitter)
        if let asked = reason.retryAfter {
            wait = max(wait, asked)
            serverAskedUntil = now.elapsed + asked
        } else {
            serverAskedUntil = nil
        }
        emit(.recordFailure(batch, status: reason.status, message: reason.message, logFailure: true))
        status.state = .retrying
        status.consecutiveFailures = failures
        status.lastError = reason.message
        status.lastErrorAtMs = now.wallMs
        status.nextAttemptAtMs = now.wallMs + BackoffPolicy.milliseconds(wait)
        if failures == 1 || failures % 20 == 0 {
            log(.warning, "sending a batch failed; retrying with the same key", [
                "batch": batch.id.uuidString.lowercased(), "attempt": "\(failures)", "reason": reason.message,
                "retry-in": "\(wait)"])
        } else {
            log(.debug, "sending a batch failed again", ["attempt": "\(failures)", "reason": reason.message])
        }
        for id in requests.keys.sorted() {
            guard var request = requests[id] else { continue }
            request.progress.lastError = reason.message
            request.progress.nextAttemptAtMs = status.nextAttemptAtMs
            update(id, request)
        }
        publish()
        schedule(now.elapsed + wait)
    }

    /// The database failed during a pass: back off as for a failed attempt.
    private mutating func storeTrouble(_ error: String) {
        failures += 1
        lastRetryKind = .unexpected
        let wait = settings.backoff.delay(failures: failures, using: &jitter)
        status.state = .retrying
        status.lastError = error
        status.lastErrorAtMs = now.wallMs
        status.nextAttemptAtMs = now.wallMs + BackoffPolicy.milliseconds(wait)
        log(.error, "the sync cannot use the database; retrying", ["error": error])
        publish()
        schedule(now.elapsed + wait)
    }

    /// Refusals in a row (a revoked token): stop forming new batches for `interval` instead of
    /// quarantining the whole backlog.
    private mutating func pause(_ reason: String) {
        let until = now.elapsed + settings.interval
        log(.error, "the receiver refused \(refusalsInARow) batches in a row; pausing",
            ["until": "\(settings.interval)", "reason": reason])
        status.state = .paused
        status.nextAttemptAtMs = now.wallMs + BackoffPolicy.milliseconds(settings.interval)
        pausedUntil = until
        publish()
        schedule(until)
    }

    // MARK: - Selection and horizon

    private mutating func selection() -> BatchSelection {
        promoteSnapshots()
        return BatchSelection(limit: settings.batchSize, horizon: settledHorizon, holdUncorrectedOfBoot: effectiveHold())
    }

    /// The clock hold applies while nobody asked for a sync and the hold's limit has not passed.
    private func effectiveHold() -> String? {
        guard let holdBoot, requests.isEmpty, now.elapsed < settings.clockHoldLimit else { return nil }
        return holdBoot
    }

    private mutating func promoteSnapshots() {
        while let first = snapshots.first, first.at + settings.settle <= now.elapsed {
            settledHorizon = max(settledHorizon, first.rowID)
            snapshots.removeFirst()
        }
    }

    private mutating func takeSnapshot(_ rowID: Int64) {
        let latest = snapshots.last?.rowID ?? settledHorizon
        guard rowID > latest else { return }
        snapshots.append(HorizonSnapshot(rowID: rowID, at: now.elapsed))
        if snapshots.count > 64 {
            // Merge the oldest two: the later time covers both (only ever delays).
            let merged = snapshots[1]
            snapshots.removeFirst(2)
            snapshots.insert(merged, at: 0)
        }
    }

    // MARK: - Bookkeeping

    private mutating func apply(_ counts: SyncCounts) {
        status.backlog = counts.unsynced
        status.quarantinedBatches = counts.quarantinedBatches
        status.quarantinedSamples = counts.quarantinedSamples
    }

    private mutating func verifyRequests() {
        guard !requests.isEmpty else { return }
        emit(.countRequests(requests.mapValues(\.horizon)))
    }

    private mutating func update(_ id: Int, _ request: SyncRequestState) {
        requests[id] = request
        emit(.progress(id: id, request.progress))
    }

    private mutating func publish() { emit(.publish(status)) }

    private mutating func log(_ level: SyncLogEntry.Level, _ message: String, _ metadata: [String: String] = [:]) {
        emit(.log(SyncLogEntry(level, message, metadata)))
    }

    private mutating func emit(_ action: SyncAction) { actions.append(action) }
}

import Foundation
import Logging
import SmileyStore

/// Sends a batch; ``UploadClient`` in production, anything that speaks the contract in tests.
public protocol BatchSender: Sendable {
    func send(_ batch: SyncBatch, nowMs: @Sendable () -> Int64) async -> SendOutcome
}

extension UploadClient: BatchSender {}

/// How the uploader paces itself.
public struct UploaderSettings: Sendable {
    /// The most samples in one batch (`upstream.batch-size`).
    public var batchSize: Int
    /// After a press, wait this long so that presses close together travel together.
    public var coalesce: Duration
    /// A sample is sent only once it has been committed at least this long: until then the
    /// interpreter may still re-flag it (a simultaneous second press). The daemon uses
    /// simultaneous-ms + debounce-ms + a margin.
    public var settle: Duration
    /// While samples wait for something other than a trigger (a pause after refusals, samples
    /// held for the clock), look again at least this often (`upstream.interval-seconds`).
    public var interval: Duration
    public var backoff: BackoffPolicy
    /// Samples of `holdBoot` taken before the clock synchronized are held back at most this long
    /// after start, waiting for the correction; a forced sync sends them at once.
    public var clockHoldLimit: Duration
    /// This boot, when its uncorrected samples are to be held (the clock is not synchronized yet).
    public var holdBoot: String?
    /// After this many refused batches in a row, stop forming new ones for `interval`.
    public var refusalsBeforePause: Int
    /// Batches on their way at once (formed, sent, not yet answered). 2 keeps the terminal and
    /// the receiver busy at the same time; 1 sends strictly one after the other.
    public var inFlight: Int
    /// Batches formed per commit while draining (each still committed before it is sent).
    public var lookahead: Int
    /// Synced samples older than this many days are pruned (nil: never).
    public var retentionDays: Int?
    /// The database file, for the free-space check (nil: no check).
    public var databasePath: String?

    public init(batchSize: Int, coalesce: Duration, settle: Duration, interval: Duration, backoff: BackoffPolicy,
                clockHoldLimit: Duration = .seconds(900), holdBoot: String? = nil, refusalsBeforePause: Int = 3,
                inFlight: Int = 2, lookahead: Int = 4, retentionDays: Int? = nil, databasePath: String? = nil) {
        self.batchSize = max(1, batchSize)
        self.coalesce = coalesce
        self.settle = settle
        self.interval = interval
        self.backoff = backoff
        self.clockHoldLimit = clockHoldLimit
        self.holdBoot = holdBoot
        self.refusalsBeforePause = max(1, refusalsBeforePause)
        self.inFlight = max(1, inFlight)
        self.lookahead = max(1, lookahead)
        self.retentionDays = retentionDays
        self.databasePath = databasePath
    }
}

/// Progress of one `smileyctl sync` request: the samples that were unsynced when it came.
public struct SyncProgress: Codable, Sendable, Equatable {
    /// Of those, not yet synced and not quarantined.
    public var remaining: Int
    /// Of those, in quarantined batches (they need `--retry-quarantined`).
    public var quarantined: Int
    /// Synced since the request.
    public var sent: Int
    public var lastError: String?
    public var nextAttemptAtMs: Int64?
    /// True once `remaining` is 0 (or the request failed).
    public var finished: Bool
    /// Why the request could not be carried out (the database), if so.
    public var failure: String?

    public init(remaining: Int, quarantined: Int, sent: Int, lastError: String? = nil, nextAttemptAtMs: Int64? = nil,
                finished: Bool = false) {
        self.remaining = remaining
        self.quarantined = quarantined
        self.sent = sent
        self.lastError = lastError
        self.nextAttemptAtMs = nextAttemptAtMs
        self.finished = finished
    }
}

/// The uploader: drains the backlog batch by batch, oldest first, in bounded memory (one batch
/// at a time), retrying forever with backoff and never losing or duplicating a sample.
///
/// It is event-driven: it runs a pass when something asks for one — new presses (after the
/// coalescing window), a returning network, a forced sync, a retry that falls due — and sleeps
/// with no timer at all when there is nothing to send.
///
/// Exactly once, end to end: a batch's UUID and members are committed before its first send and
/// never change; every retry re-sends them under the same Idempotency-Key; the receiver stores
/// each sample id once and answers a replayed key with its stored receipt. A sample is marked
/// synced only after a receipt that accounts for the whole batch.
public actor Uploader {
    private let store: SyncStore
    private let sender: any BatchSender
    private let settings: UploaderSettings
    private let wallNowMs: @Sendable () -> Int64
    private let clockSynchronized: @Sendable () -> Bool
    private let logger: Logger
    private let onStatus: @Sendable (SyncStatus) -> Void
    private let clock = ContinuousClock()
    private let startedAt: ContinuousClock.Instant

    // Scheduling: the next pass is due at `dueAt`; nil = idle, no timer.
    private var dueAt: ContinuousClock.Instant?
    private var wake: CheckedContinuation<Void, Never>?
    private var timer: Task<Void, Never>?
    /// While a pass runs, triggers only move `dueAt` earlier; the pass's own plan (a backoff)
    /// never delays what a trigger asked for.
    private var inPass = false

    // Which rows are settled: snapshots of max(rowid), with when they were read.
    private var settledHorizon: Int64
    private var snapshots: [(rowID: Int64, at: ContinuousClock.Instant)] = []

    // Failures.
    private var failures = 0
    private var lastRetryKind: RetryReason.Kind?
    private var serverAskedUntil: ContinuousClock.Instant?
    private var refusalsInARow = 0
    private var pausedUntil: ContinuousClock.Instant?
    private var storeFailing = false
    private var holdBoot: String?

    public private(set) var status: SyncStatus
    private var requests: [UUID: Request] = [:]

    private struct Request {
        var horizon: Int64
        var progress: SyncProgress
        var continuation: AsyncStream<SyncProgress>.Continuation
    }

    /// - Parameters:
    ///   - settledHorizon: rows up to this id are settled from the start (the daemon reads it
    ///     before any press can be taken: what an earlier run left can no longer change).
    public init(store: SyncStore, sender: any BatchSender, settings: UploaderSettings, url: String,
                settledHorizon: Int64, wallNowMs: @escaping @Sendable () -> Int64,
                clockSynchronized: @escaping @Sendable () -> Bool = { true }, logger: Logger,
                onStatus: @escaping @Sendable (SyncStatus) -> Void = { _ in }) {
        self.store = store
        self.sender = sender
        self.settings = settings
        self.wallNowMs = wallNowMs
        self.clockSynchronized = clockSynchronized
        self.logger = logger
        self.onStatus = onStatus
        self.settledHorizon = settledHorizon
        self.holdBoot = settings.holdBoot
        self.status = SyncStatus(url: url)
        self.startedAt = ContinuousClock().now
    }

    // MARK: - Triggers

    /// New presses were committed (`inserted` new samples): send them after the coalescing window.
    public func samplesCommitted(inserted: Int) async {
        status.backlog += inserted
        if snapshots.last.map({ clock.now - $0.at >= .milliseconds(100) }) ?? true {
            await takeSnapshot()
        }
        guard failures == 0, pausedUntil == nil else {
            publish()
            return
        }
        let due = clock.now + max(settings.coalesce, settings.settle)
        if dueAt == nil || dueAt! > due { schedule(due) }
        if status.state == .idle { status.state = .waiting }
        publish()
    }

    /// The daemon committed the clock correction: this boot's early samples have their true time.
    public func clockCorrected() {
        guard holdBoot != nil else { return }
        holdBoot = nil
        logger.info("clock corrected: sending the samples held for it")
        schedule(clock.now)
    }

    /// A link came up or a route appeared: if the last attempt found no network, try again now
    /// (unless the receiver itself asked for a pause with Retry-After).
    public func networkChanged() {
        guard failures > 0, lastRetryKind == .network else { return }
        if let asked = serverAskedUntil, asked > clock.now { return }
        logger.info("network changed: retrying now instead of waiting out the backoff")
        schedule(clock.now + .milliseconds(300))
    }

    /// The store failed (or recovered): no batches are formed while commits fail.
    public func storeHealthChanged(failing: Bool) {
        storeFailing = failing
        if !failing { schedule(clock.now) }
    }

    /// `smileyctl sync`: send everything unsynced now, ignoring the backoff and the clock hold,
    /// optionally putting quarantined batches back first. The stream reports progress and ends
    /// once every sample that was unsynced at the request is synced (or quarantined).
    public func requestSync(retryQuarantined: Bool) async -> AsyncStream<SyncProgress> {
        let (stream, continuation) = AsyncStream.makeStream(of: SyncProgress.self, bufferingPolicy: .bufferingNewest(8))
        let id = UUID()
        continuation.onTermination = { [weak self] _ in
            Task { await self?.dropRequest(id) }
        }
        do {
            if retryQuarantined {
                let back = try await store.requeueQuarantined(nowMs: wallNowMs())
                if back.batches > 0 {
                    logger.notice("quarantined batches put back in line", metadata: ["batches": "\(back.batches)", "samples": "\(back.samples)"])
                }
            }
            let horizon = try await store.maxSampleRowID()
            snapshots.append((horizon, clock.now))
            let counts = try await store.unsynced(upTo: horizon)
            await recount()
            let progress = SyncProgress(remaining: counts.pending - counts.quarantined, quarantined: counts.quarantined,
                                        sent: 0, lastError: status.lastError, nextAttemptAtMs: status.nextAttemptAtMs)
            if progress.remaining == 0 {
                var done = progress
                done.finished = true
                continuation.yield(done)
                continuation.finish()
                return stream
            }
            requests[id] = Request(horizon: horizon, progress: progress, continuation: continuation)
            continuation.yield(progress)
            // Batches recorded while the counts were read are not in them: count again now that
            // the request follows every batch.
            await verifyRequests()
        } catch {
            var failed = SyncProgress(remaining: 0, quarantined: 0, sent: 0, lastError: "\(error)", finished: true)
            failed.failure = "\(error)"
            continuation.yield(failed)
            continuation.finish()
            return stream
        }
        failures = 0
        refusalsInARow = 0
        pausedUntil = nil
        let now = clock.now
        schedule(serverAskedUntil.map { max($0, now) } ?? now, urgent: true)
        return stream
    }

    /// The heartbeat went out (`atMs`) or failed (`error`).
    public func heartbeatSent(atMs: Int64?, error: String?) {
        if let atMs { status.lastHeartbeatAtMs = atMs }
        status.lastHeartbeatError = error
        publish()
    }

    private func dropRequest(_ id: UUID) {
        requests[id] = nil
    }

    // MARK: - Running

    /// Runs passes as they fall due until the task is cancelled.
    public func run() async {
        await recount()
        await maintain(prune: true)
        // Anything left from before (a backlog, a batch in flight at a crash) goes at once.
        if status.backlog - status.quarantinedSamples > 0 { schedule(clock.now) }
        publish()
        while !Task.isCancelled {
            if let due = dueAt, due <= clock.now {
                dueAt = nil
                inPass = true
                await pass()
                inPass = false
                continue
            }
            await sleepUntilWoken()
        }
        timer?.cancel()
        for request in requests.values { request.continuation.finish() }
        requests.removeAll()
    }

    private func schedule(_ instant: ContinuousClock.Instant, urgent: Bool = false) {
        if inPass {
            if dueAt == nil || dueAt! > instant { dueAt = instant }
            return
        }
        if dueAt == nil || dueAt! > instant || urgent { dueAt = instant }
        poke()
    }

    private func poke() {
        if let wake {
            self.wake = nil
            wake.resume()
        }
    }

    private func sleepUntilWoken() async {
        let deadline = dueAt
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled {
                    continuation.resume()
                    return
                }
                wake = continuation
                if let deadline {
                    timer = Task { [weak self] in
                        try? await Task.sleep(until: deadline, clock: .continuous)
                        await self?.poke()
                    }
                }
            }
        } onCancel: {
            Task { await self.poke() }
        }
        timer?.cancel()
        timer = nil
    }

    // MARK: - A pass

    /// Sends batches until there is nothing settled to send, or an attempt fails.
    ///
    /// Up to `settings.inFlight` batches are on their way at once. Batches are formed a few at a
    /// time (`settings.lookahead`), each committed before it is sent; acknowledgements are recorded
    /// in the same transaction that forms the next few. Draining a backlog thus costs one commit
    /// for several batches; an acknowledgement not yet recorded at a crash only means the batch is
    /// sent again, and the receiver answers with its stored result.
    private func pass() async {
        if let until = pausedUntil, until <= clock.now {
            pausedUntil = nil
            refusalsInARow = 0
        }
        guard !storeFailing else {
            status.state = .waiting
            publish()
            return
        }
        await takeSnapshotIfBehind()
        let sender = self.sender
        let nowMs = self.wallNowMs
        var inFlight = Set<Int64>()
        var queue: [SyncBatch] = []
        var acknowledged: [(batch: SyncBatch, status: Int, receipt: BatchReceipt)] = []
        var stopLaunching = false
        var exhausted = false
        var deliveredAny = false
        var firstRetry: (SyncBatch, RetryReason)?
        var storeError: (any Error)?
        var pauseReason: String?

        await withTaskGroup(of: (SyncBatch, SendOutcome).self) { group in
            while true {
                // Room on the way and nothing formed: record what was acknowledged, form the next few.
                if queue.isEmpty, !stopLaunching, !exhausted, inFlight.count < settings.inFlight, !Task.isCancelled {
                    do {
                        let formed = try await store.settle(
                            delivered: acknowledged.map { ($0.batch, $0.status) }, nowMs: nowMs(), form: selection(),
                            count: settings.lookahead, excluding: inFlight)
                        for item in acknowledged { delivered(item.batch, receipt: item.receipt) }
                        deliveredAny = deliveredAny || !acknowledged.isEmpty
                        acknowledged.removeAll()
                        if requests.values.contains(where: { $0.progress.remaining <= 0 }) { await verifyRequests() }
                        exhausted = formed.isEmpty
                        queue.append(contentsOf: formed)
                    } catch {
                        storeError = storeError ?? error
                        stopLaunching = true
                    }
                }
                while !stopLaunching, inFlight.count < settings.inFlight, !queue.isEmpty {
                    let batch = queue.removeFirst()
                    inFlight.insert(batch.rowID)
                    status.state = .sending
                    status.lastAttemptAtMs = nowMs()
                    group.addTask { (batch, await sender.send(batch, nowMs: { nowMs() })) }
                }
                publish()
                guard let (batch, outcome) = await group.next() else { break }
                inFlight.remove(batch.rowID)
                switch outcome {
                case .delivered(let httpStatus, let receipt):
                    acknowledged.append((batch, httpStatus, receipt))
                case .retry(let reason):
                    stopLaunching = true
                    if firstRetry == nil {
                        firstRetry = (batch, reason)
                    } else {
                        try? await store.recordFailure(batch, status: reason.status, error: reason.message, nowMs: nowMs())
                    }
                case .refused(let httpStatus, let reason):
                    do {
                        try await store.quarantine(batch, status: httpStatus, error: reason, nowMs: nowMs())
                        refused(batch, status: httpStatus, reason: reason)
                        if refusalsInARow >= settings.refusalsBeforePause {
                            stopLaunching = true
                            pauseReason = reason
                        }
                    } catch {
                        storeError = storeError ?? error
                        stopLaunching = true
                    }
                }
            }
        }
        if requests.values.contains(where: { $0.progress.remaining <= 0 }) { await verifyRequests() }
        // Acknowledgements still to record (batches formed but not sent stay open for the next pass).
        if !acknowledged.isEmpty {
            do {
                _ = try await store.settle(delivered: acknowledged.map { ($0.batch, $0.status) }, nowMs: nowMs(), form: nil, count: 0)
                for item in acknowledged { delivered(item.batch, receipt: item.receipt) }
                deliveredAny = true
            } catch {
                // The receiver has them; they stay in flight here and are re-sent (replays).
                storeError = storeError ?? error
            }
        }

        await verifyRequests()
        if let storeError {
            storeTrouble(storeError)
        } else if let (batch, reason) = firstRetry {
            await retryLater(batch, reason)
        } else if let pauseReason {
            let until = clock.now + settings.interval
            logger.error("the receiver refused \(refusalsInARow) batches in a row; pausing", metadata: [
                "until": "\(settings.interval)", "reason": "\(pauseReason)"])
            status.state = .paused
            status.nextAttemptAtMs = wallNowMs() + Self.ms(settings.interval)
            pausedUntil = until
            publish()
            schedule(until)
        } else {
            // Nothing settled left to send.
            if deliveredAny { await recount() }
            await maintain(prune: deliveredAny)
            await scheduleAfterDrain()
        }
    }

    private func delivered(_ batch: SyncBatch, receipt: BatchReceipt) {
        if failures > 0 {
            logger.notice("upstream reachable again; sending resumes", metadata: ["failed-attempts": "\(failures)"])
        }
        failures = 0
        lastRetryKind = nil
        serverAskedUntil = nil
        refusalsInARow = 0
        let count = batch.samples.count
        status.backlog = max(0, status.backlog - count)
        status.sentSinceStart += count
        status.lastSuccessAtMs = wallNowMs()
        status.consecutiveFailures = 0
        status.nextAttemptAtMs = nil
        logger.debug("batch delivered", metadata: [
            "batch": "\(batch.id.uuidString.lowercased())", "samples": "\(count)",
            "accepted": "\(receipt.accepted)", "duplicates": "\(receipt.duplicates)"])
        for (id, var request) in requests {
            let mine = batch.samples.reduce(0) { $0 + ($1.rowID <= request.horizon ? 1 : 0) }
            request.progress.sent += mine
            request.progress.remaining = max(0, request.progress.remaining - mine)
            request.progress.lastError = nil
            request.progress.nextAttemptAtMs = nil
            update(id, request)
        }
        publish()
    }

    private func refused(_ batch: SyncBatch, status httpStatus: Int, reason: String) {
        refusalsInARow += 1
        let count = batch.samples.count
        status.quarantinedBatches += 1
        status.quarantinedSamples += count
        status.lastError = "batch \(batch.id.uuidString.lowercased()) quarantined: \(reason)"
        status.lastErrorAtMs = wallNowMs()
        logger.error("the receiver refused a batch; it is quarantined (kept, not retried until `smileyctl sync --retry-quarantined`)",
                     metadata: ["batch": "\(batch.id.uuidString.lowercased())", "samples": "\(count)", "reason": "\(reason)"])
        for (id, var request) in requests {
            let mine = batch.samples.reduce(0) { $0 + ($1.rowID <= request.horizon ? 1 : 0) }
            request.progress.quarantined += mine
            request.progress.remaining = max(0, request.progress.remaining - mine)
            request.progress.lastError = status.lastError
            update(id, request)
        }
        publish()
    }

    private func retryLater(_ batch: SyncBatch, _ reason: RetryReason) async {
        failures += 1
        lastRetryKind = reason.kind
        var wait = settings.backoff.delay(failures: failures)
        if let asked = reason.retryAfter {
            wait = max(wait, asked)
            serverAskedUntil = clock.now + asked
        } else {
            serverAskedUntil = nil
        }
        do {
            try await store.recordFailure(batch, status: reason.status, error: reason.message, nowMs: wallNowMs())
        } catch {
            logger.error("cannot record a failed attempt", metadata: ["error": "\(error)"])
        }
        let nowMs = wallNowMs()
        status.state = .retrying
        status.consecutiveFailures = failures
        status.lastError = reason.message
        status.lastErrorAtMs = nowMs
        status.nextAttemptAtMs = nowMs + Self.ms(wait)
        if failures == 1 || failures % 20 == 0 {
            logger.warning("sending a batch failed; retrying with the same key", metadata: [
                "batch": "\(batch.id.uuidString.lowercased())", "attempt": "\(failures)", "reason": "\(reason.message)",
                "retry-in": "\(wait)"])
        } else {
            logger.debug("sending a batch failed again", metadata: ["attempt": "\(failures)", "reason": "\(reason.message)"])
        }
        for (id, var request) in requests {
            request.progress.lastError = reason.message
            request.progress.nextAttemptAtMs = status.nextAttemptAtMs
            update(id, request)
        }
        publish()
        schedule(clock.now + wait)
    }

    private func storeTrouble(_ error: any Error) {
        failures += 1
        lastRetryKind = .unexpected
        let wait = settings.backoff.delay(failures: failures)
        status.state = .retrying
        status.lastError = "\(error)"
        status.lastErrorAtMs = wallNowMs()
        status.nextAttemptAtMs = wallNowMs() + Self.ms(wait)
        logger.error("the sync cannot use the database; retrying", metadata: ["error": "\(error)"])
        publish()
        schedule(clock.now + wait)
    }

    /// After a drain: wait for unsettled rows, held samples or nothing at all.
    private func scheduleAfterDrain() async {
        let now = clock.now
        var next: ContinuousClock.Instant?
        var waiting = false
        // Rows newer than the settled horizon: come back once they have settled.
        if let pending = snapshots.first(where: { $0.rowID > settledHorizon }) {
            next = pending.at + settings.settle
            waiting = true
        }
        // Samples held for the clock: look again at the interval, and send them when the hold ends.
        if let hold = effectiveHold() {
            var unheld = selection()
            unheld.holdUncorrectedOfBoot = nil
            if (try? await store.hasUnbatched(unheld)) ?? false {
                let end = startedAt + settings.clockHoldLimit
                let recheck = min(end, now + settings.interval)
                next = next.map { min($0, recheck) } ?? recheck
                waiting = true
                if !status.holdingForClock {
                    logger.notice("samples taken before the clock synchronized wait for its correction", metadata: ["boot": "\(hold)"])
                }
                status.holdingForClock = true
            } else {
                status.holdingForClock = false
            }
        } else {
            status.holdingForClock = false
        }
        status.state = waiting ? .waiting : .idle
        if let next { schedule(next) }
        publish()
    }

    // MARK: - Selection and horizon

    private func selection() -> BatchSelection {
        promoteSnapshots()
        return BatchSelection(limit: settings.batchSize, horizon: settledHorizon, holdUncorrectedOfBoot: effectiveHold())
    }

    private func effectiveHold() -> String? {
        guard let holdBoot, requests.isEmpty, clock.now < startedAt + settings.clockHoldLimit else { return nil }
        return holdBoot
    }

    private func promoteSnapshots() {
        let now = clock.now
        while let first = snapshots.first, first.at + settings.settle <= now {
            settledHorizon = max(settledHorizon, first.rowID)
            snapshots.removeFirst()
        }
    }

    private func takeSnapshot() async {
        guard let rowID = try? await store.maxSampleRowID() else { return }
        let latest = snapshots.last?.rowID ?? settledHorizon
        guard rowID > latest else { return }
        snapshots.append((rowID, clock.now))
        if snapshots.count > 64 {
            // Merge the oldest two: the later time covers both (only ever delays).
            let merged = (rowID: snapshots[1].rowID, at: snapshots[1].at)
            snapshots.removeFirst(2)
            snapshots.insert(merged, at: 0)
        }
    }

    private func takeSnapshotIfBehind() async {
        await takeSnapshot()
        promoteSnapshots()
    }

    // MARK: - Bookkeeping

    /// Re-reads the counts from the database (after a drain, at start, on request).
    private func recount() async {
        guard let counts = try? await store.counts() else { return }
        status.backlog = counts.unsynced
        status.quarantinedBatches = counts.quarantinedBatches
        status.quarantinedSamples = counts.quarantinedSamples
    }

    /// Retention (at start and after a drain that delivered something, only with a synchronized
    /// clock) and the free-space check.
    private func maintain(prune: Bool) async {
        if let days = settings.retentionDays, clockSynchronized(), prune {
            let cutoff = wallNowMs() - Int64(days) * 86_400_000
            do {
                let pruned = try await store.prune(syncedBeforeMs: cutoff)
                if pruned > 0 {
                    logger.notice("pruned synced samples past retention", metadata: ["samples": "\(pruned)", "retention-days": "\(days)"])
                }
            } catch {
                logger.error("pruning old synced samples failed", metadata: ["error": "\(error)"])
            }
        }
        if let path = settings.databasePath {
            let disk = DiskSpace.check(path: path)
            if disk.warning != status.lowDisk, let warning = disk.warning {
                logger.warning("low disk space", metadata: ["detail": "\(warning)"])
            }
            status.diskFreeBytes = disk.freeBytes
            status.lowDisk = disk.warning
        }
    }

    /// Reports a request's progress. The counts kept here follow each batch; whether the request
    /// is done is decided by ``verifyRequests()`` against the database.
    private func update(_ id: UUID, _ request: Request) {
        request.continuation.yield(request.progress)
        requests[id] = request
    }

    /// Recounts each request's samples in the database and finishes those with none left
    /// unsynced (quarantined ones aside). The running counts can be off by a batch or two when a
    /// request arrives while batches are being recorded; the database is not.
    private func verifyRequests() async {
        for (id, request) in requests {
            guard let counts = try? await store.unsynced(upTo: request.horizon), var current = requests[id] else { continue }
            current.progress.remaining = counts.pending - counts.quarantined
            current.progress.quarantined = counts.quarantined
            if current.progress.remaining <= 0 {
                current.progress.remaining = 0
                current.progress.finished = true
                current.continuation.yield(current.progress)
                current.continuation.finish()
                requests[id] = nil
            } else {
                requests[id] = current
            }
        }
    }

    private func publish() {
        onStatus(status)
    }

    static func ms(_ duration: Duration) -> Int64 { BackoffPolicy.milliseconds(duration) }
}

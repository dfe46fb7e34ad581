import Logging
import SmileyStore

/// The uploader: the shell around ``SyncStateMachine``. It feeds the machine events — triggers,
/// the timer, results — one at a time with the time they happened, and carries out the actions
/// it returns: store reads and writes (awaited in order, their results fed back at once), sends
/// (concurrent, their answers queued as events), the one wake-up timer on the injected clock,
/// status, progress and log lines. Every decision is the machine's.
public actor Uploader {
    private let store: SyncStore
    private let sender: any BatchSender
    private let wallNowMs: @Sendable () -> Int64
    private let logger: Logger
    private let onStatus: @Sendable (SyncStatus) -> Void
    private let maintenance: RetentionService?
    private let elapsed: @Sendable () -> Duration
    private let sleepUntil: @Sendable (Duration) async throws -> Void

    private var machine: SyncStateMachine
    public private(set) var status: SyncStatus

    private struct Item: Sendable {
        var event: SyncEvent
        /// Callers waiting for this event to be handled wait for this number.
        var ticket: Int?
    }

    private let events: AsyncStream<Item>
    private let input: AsyncStream<Item>.Continuation
    private var nextTicket = 1
    private var handledTicket = 0
    private var waiters: [(ticket: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var finished = false
    private var timer: Task<Void, Never>?
    private var sends: [Int64: Task<Void, Never>] = [:]
    private var progress: [Int: AsyncStream<SyncProgress>.Continuation] = [:]
    private var nextRequestID = 1

    /// - Parameters:
    ///   - settledHorizon: rows up to this id are settled from the start (the daemon reads it
    ///     before any press can be taken: what an earlier run left can no longer change).
    ///   - clock: the monotonic clock every wait is measured on (tests inject their own).
    ///   - jitter: the backoff's random draws.
    ///   - maintenance: retention and the free-space check, asked after each drain.
    public init(store: SyncStore, sender: any BatchSender, settings: UploaderSettings, url: String,
                settledHorizon: Int64, wallNowMs: @escaping @Sendable () -> Int64, logger: Logger,
                onStatus: @escaping @Sendable (SyncStatus) -> Void = { _ in },
                clock: any Clock<Duration> = ContinuousClock(), jitter: SyncJitter = .random(),
                maintenance: RetentionService? = nil) {
        self.store = store
        self.sender = sender
        self.wallNowMs = wallNowMs
        self.logger = logger
        self.onStatus = onStatus
        self.maintenance = maintenance
        (elapsed, sleepUntil) = Self.measure(clock)
        machine = SyncStateMachine(settings: settings, url: url, settledHorizon: settledHorizon, jitter: jitter)
        status = machine.status
        (events, input) = AsyncStream.makeStream(of: Item.self)
        input.yield(Item(event: .start))
    }

    /// Time since `clock`'s now at the start, and a sleep until an instant on that scale.
    private static func measure<C: Clock<Duration>>(_ clock: C)
        -> (@Sendable () -> Duration, @Sendable (Duration) async throws -> Void) {
        let start = clock.now
        return ({ start.duration(to: clock.now) },
                { try await clock.sleep(until: start.advanced(by: $0), tolerance: nil) })
    }

    // MARK: - Triggers (each returns once the uploader has handled it)

    /// New presses were committed (`inserted` new samples): send them after the coalescing window.
    public func samplesCommitted(inserted: Int) async {
        await submit(.samplesCommitted(inserted))
    }

    /// The daemon committed the clock correction: this boot's early samples have their true time.
    public func clockCorrected() async {
        await submit(.clockSynchronized)
    }

    /// A link came up or a route appeared: if the last attempt found no network, try again now
    /// (unless the receiver itself asked for a pause with Retry-After).
    public func networkChanged() async {
        await submit(.networkUp)
    }

    /// The store failed (or recovered): no batches are formed while commits fail.
    public func storeHealthChanged(failing: Bool) async {
        await submit(.storeHealth(failing: failing))
    }

    /// The heartbeat went out (`atMs`) or failed (`error`).
    public func heartbeatSent(atMs: Int64?, error: String?) async {
        await submit(.heartbeat(atMs: atMs, error: error))
    }

    /// `smileyctl sync`: send everything unsynced now, ignoring the backoff and the clock hold,
    /// optionally putting quarantined batches back first. The stream reports progress and ends
    /// once every sample that was unsynced at the request is synced (or quarantined).
    public func requestSync(retryQuarantined: Bool) async -> AsyncStream<SyncProgress> {
        let (stream, continuation) = AsyncStream.makeStream(of: SyncProgress.self, bufferingPolicy: .bufferingNewest(8))
        let id = nextRequestID
        nextRequestID += 1
        guard !finished else {
            continuation.finish()
            return stream
        }
        progress[id] = continuation
        let input = self.input
        continuation.onTermination = { _ in input.yield(Item(event: .requestDropped(id: id))) }
        await submit(.syncRequested(id: id, retryQuarantined: retryQuarantined))
        return stream
    }

    /// When the next pass is due (on the clock's scale, from the start); nil: idle, no timer.
    public var nextWakeUp: Duration? { machine.dueAt }

    /// A pass is running.
    public var isInPass: Bool { machine.isInPass }

    private func submit(_ event: SyncEvent) async {
        guard !finished else { return }
        let ticket = nextTicket
        nextTicket += 1
        input.yield(Item(event: event, ticket: ticket))
        await withCheckedContinuation { continuation in
            waiters.append((ticket, continuation))
        }
    }

    // MARK: - Running

    /// Handles events as they come until the task is cancelled.
    public func run() async {
        for await item in events {
            if Task.isCancelled { break }
            await handle(item.event)
            if let ticket = item.ticket { handled(upTo: ticket) }
            if machine.phase == .stopped { break }
        }
        await handle(.stop)
        finished = true
        input.finish()
        // Requests the machine had not seen yet end too.
        for continuation in progress.values { continuation.finish() }
        progress.removeAll()
        timer?.cancel()
        for task in sends.values { task.cancel() }
        sends.removeAll()
        handled(upTo: .max)
    }

    private func handled(upTo ticket: Int) {
        handledTicket = max(handledTicket, ticket)
        let ready = waiters.filter { $0.ticket <= handledTicket }
        waiters.removeAll { $0.ticket <= handledTicket }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// One event, and every action it leads to; results of store actions are fed back before
    /// anything else.
    private func handle(_ event: SyncEvent) async {
        if case .answered(let batch, _) = event { sends[batch.rowID] = nil }
        var pending = machine.handle(event, at: now())
        while !pending.isEmpty {
            let action = pending.removeFirst()
            if let result = await perform(action) {
                pending.insert(contentsOf: machine.handle(result, at: now()), at: 0)
            }
        }
        status = machine.status
    }

    private func now() -> SyncTime {
        SyncTime(elapsed: elapsed(), wallMs: wallNowMs())
    }

    // MARK: - Actions

    private func perform(_ action: SyncAction) async -> SyncEvent? {
        switch action {
        case .recount:
            return .counted(try? await store.counts())
        case .readNewestRow:
            return .newestRowRead(try? await store.maxSampleRowID())
        case .prepareRequest(let id, let retryQuarantined):
            return await prepare(id, retryQuarantined: retryQuarantined)
        case .countRequests(let horizons):
            var counts: [Int: UnsyncedCount] = [:]
            for (id, horizon) in horizons {
                if let found = try? await store.unsynced(upTo: horizon) {
                    counts[id] = UnsyncedCount(pending: found.pending, quarantined: found.quarantined)
                }
            }
            return .requestsCounted(counts)
        case .settle(let delivered, let selection, let count, let excluding):
            do {
                let formed = try await store.settle(delivered: delivered.map { ($0.batch, $0.status) }, nowMs: wallNowMs(),
                                                    form: selection, count: count, excluding: excluding)
                return .settled(.success(formed))
            } catch {
                return .settled(.failure(StoreFailure("\(error)")))
            }
        case .send(let batch):
            let sender = self.sender, wallNowMs = self.wallNowMs, input = self.input
            sends[batch.rowID] = Task {
                let outcome = await sender.send(batch, nowMs: wallNowMs)
                input.yield(Item(event: .answered(batch, outcome)))
            }
            return nil
        case .recordFailure(let batch, let httpStatus, let message, let logFailure):
            do {
                try await store.recordFailure(batch, status: httpStatus, error: message, nowMs: wallNowMs())
            } catch {
                if logFailure { logger.error("cannot record a failed attempt", metadata: ["error": "\(error)"]) }
            }
            return nil
        case .quarantine(let batch, let httpStatus, let reason):
            do {
                try await store.quarantine(batch, status: httpStatus, error: reason, nowMs: wallNowMs())
                return .quarantineRecorded(batch, status: httpStatus, reason: reason, error: nil)
            } catch {
                return .quarantineRecorded(batch, status: httpStatus, reason: reason, error: StoreFailure("\(error)"))
            }
        case .probeUnheld(let selection):
            return .probed(try? await store.hasUnbatched(selection))
        case .maintain(let prune):
            let input = self.input
            maintenance?.request(prune: prune) { report in
                input.yield(Item(event: .diskChecked(freeBytes: report.freeBytes, warning: report.warning)))
            }
            return nil
        case .wake(let instant):
            timer?.cancel()
            let sleepUntil = self.sleepUntil, input = self.input
            timer = Task {
                do {
                    try await sleepUntil(instant)
                } catch {
                    return
                }
                input.yield(Item(event: .timerFired))
            }
            return nil
        case .publish(let status):
            self.status = status
            onStatus(status)
            return nil
        case .progress(let id, let step):
            progress[id]?.yield(step)
            return nil
        case .finishRequest(let id):
            progress.removeValue(forKey: id)?.finish()
            return nil
        case .log(let entry):
            logger.log(level: entry.level.logLevel, "\(entry.message)",
                       metadata: entry.metadata.isEmpty ? nil : entry.metadata.mapValues { .string($0) })
            return nil
        }
    }

    private func prepare(_ id: Int, retryQuarantined: Bool) async -> SyncEvent {
        do {
            var requeued = (batches: 0, samples: 0)
            if retryQuarantined {
                requeued = try await store.requeueQuarantined(nowMs: wallNowMs())
            }
            let horizon = try await store.maxSampleRowID()
            let unsynced = try await store.unsynced(upTo: horizon)
            return .requestPrepared(id: id, prepared: PreparedRequest(
                requeuedBatches: requeued.batches, requeuedSamples: requeued.samples, horizon: horizon,
                unsynced: UnsyncedCount(pending: unsynced.pending, quarantined: unsynced.quarantined),
                counts: try? await store.counts()))
        } catch {
            return .requestFailed(id: id, error: "\(error)")
        }
    }
}

extension SyncLogEntry.Level {
    var logLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        }
    }
}

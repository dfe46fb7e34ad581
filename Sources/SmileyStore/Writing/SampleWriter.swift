import SmileyPlatform
import Foundation
import GRDB
import SmileyCore
import Synchronization

/// The daemon's single writer. Presses are committed in groups: while one transaction is being
/// fsynced, new operations queue up and go into the next one — one fsync for many presses under
/// a burst, one per press at a human pace. Nothing is acknowledged before its commit: the
/// `onCommitted` callback runs after the transaction is durable.
///
/// A failed commit (disk full, I/O error, a locked file) is rolled back and retried with backoff,
/// forever, with the operations kept in memory; ``health`` says so. Nothing is dropped.
///
/// Queueing is a lock-protected append (no actor hop per press); ``run()`` is the only task that
/// touches the database.
public final class SampleWriter: Sendable {
    public typealias CommitHandler = @Sendable (_ committed: [WriteOperation], _ durationNs: UInt64) -> Void
    public typealias HealthHandler = @Sendable (StoreHealth) -> Void

    private let pool: DatabasePool
    private let path: String
    private let maxBatch: Int
    private let capacity: Int
    private let onCommitted: CommitHandler
    private let onHealthChange: HealthHandler

    private struct State {
        var pending: [WriteOperation] = []
        var workAvailable: CheckedContinuation<Void, Never>?
        var spaceWaiters: [CheckedContinuation<Void, Never>] = []
        var closed = false
        var health = StoreHealth()
    }

    private let state = Mutex(State())

    /// - Parameters:
    ///   - maxBatch: the most operations in one transaction.
    ///   - capacity: ``submit(_:)`` waits while this many operations are uncommitted (bounded memory).
    public init(pool: DatabasePool, path: String, maxBatch: Int = 2048, capacity: Int = 4096,
                onCommitted: @escaping CommitHandler = { _, _ in },
                onHealthChange: @escaping HealthHandler = { _ in }) {
        self.pool = pool
        self.path = path
        self.maxBatch = max(1, maxBatch)
        self.capacity = max(1, capacity)
        self.onCommitted = onCommitted
        self.onHealthChange = onHealthChange
    }

    /// Queues an operation for the next commit. Suspends only while `capacity` operations are
    /// already waiting for the disk.
    public func submit(_ operation: WriteOperation) async {
        await submit(CollectionOfOne(operation))
    }

    /// Queues operations, in order, for the next commit.
    public func submit(_ operations: some Collection<WriteOperation>) async {
        guard !operations.isEmpty else { return }
        while true {
            let (accepted, wake) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard state.pending.count < capacity || state.closed else { return (false, nil) }
                state.pending.append(contentsOf: operations)
                let wake = state.workAvailable
                state.workAvailable = nil
                return (true, wake)
            }
            if accepted {
                wake?.resume()
                return
            }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending.count < capacity || state.closed { return true }
                    state.spaceWaiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// No more operations will come: ``run()`` returns once everything queued is committed.
    public func close() {
        let wake = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.workAvailable = nil }
            return state.workAvailable
        }
        wake?.resume()
    }

    /// Operations accepted but not yet committed.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    public var health: StoreHealth { state.withLock { $0.health } }

    /// Commits until ``close()`` has been called and the queue is empty.
    public func run() async {
        var backoffMs: UInt64 = 100
        while true {
            guard let batch = await nextBatch() else { return }
            let started = MonotonicClock.nowNs()
            do {
                try await pool.write { db in
                    try Self.apply(batch, in: db)
                }
                let duration = MonotonicClock.nowNs() - started
                backoffMs = 100
                let (waiters, recovered) = state.withLock { state -> ([CheckedContinuation<Void, Never>], StoreHealth?) in
                    state.pending.removeFirst(batch.count)
                    let waiters = state.spaceWaiters
                    state.spaceWaiters.removeAll()
                    guard state.health.failure != nil else { return (waiters, nil) }
                    state.health.failure = nil
                    state.health.failingSinceMs = nil
                    state.health.pending = state.pending.count
                    return (waiters, state.health)
                }
                waiters.forEach { $0.resume() }
                if let recovered { onHealthChange(recovered) }
                onCommitted(batch, duration)
            } catch {
                // GRDB has rolled the transaction back; keep the operations and try again.
                let reason = SmileyDatabase.describe(error)
                let health = state.withLock { state -> StoreHealth in
                    if state.health.failure == nil {
                        state.health.failingSinceMs = WallClock.nowMs()
                    }
                    state.health.failure = "committing to \(path) failed: \(reason); \(state.pending.count) change(s) held in memory, retrying"
                    state.health.pending = state.pending.count
                    state.health.retries += 1
                    return state.health
                }
                onHealthChange(health)
                try? await Task.sleep(nanoseconds: backoffMs * 1_000_000)
                backoffMs = min(backoffMs * 2, 5_000)
            }
        }
    }

    /// The next operations to commit (they stay queued until committed); nil once closed and empty.
    private func nextBatch() async -> [WriteOperation]? {
        while true {
            let batch = state.withLock { state -> [WriteOperation]?? in
                if !state.pending.isEmpty { return .some(Array(state.pending.prefix(maxBatch))) }
                return state.closed ? .some(nil) : nil
            }
            if let batch { return batch }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.pending.isEmpty || state.closed { return true }
                    state.workAvailable = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    // MARK: - SQL

    static func apply(_ batch: [WriteOperation], in db: Database) throws {
        for operation in batch {
            switch operation {
            case .insert(let sample):
                try SampleInsert.insert(sample, in: db)
            case .reflag(let id, let misuse):
                try db.cachedStatement(sql: "UPDATE sample SET misuse = ? WHERE uuid = ?")
                    .execute(arguments: [misuse.rawValue, id])
            case .held(let id, let heldMs):
                try db.cachedStatement(sql: "UPDATE sample SET held_ms = ? WHERE uuid = ?")
                    .execute(arguments: [heldMs, id])
            case .correctClock(let bootID, let syncMonotonicNs, let syncWallMs, let zone):
                try ClockCorrection.apply(bootID: bootID, syncMonotonicNs: syncMonotonicNs,
                                          syncWallMs: syncWallMs, zone: zone, in: db)
            }
        }
    }
}

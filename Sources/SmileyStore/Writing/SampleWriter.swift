import Foundation
import GRDB
import SmileyCore

/// The daemon's single writer. Presses are committed in groups: while one transaction is being
/// fsynced, new operations queue up and go into the next one — one fsync for many presses under
/// a burst, one per press at a human pace. Nothing is acknowledged before its commit: the
/// `onCommitted` callback runs after the transaction is durable.
///
/// A failed commit (disk full, I/O error, a locked file) is rolled back and retried with backoff,
/// forever, with the operations kept in memory; ``health`` says so. Nothing is dropped.
public actor SampleWriter {
    public typealias CommitHandler = @Sendable (_ committed: [WriteOperation], _ durationNs: UInt64) -> Void
    public typealias HealthHandler = @Sendable (StoreHealth) -> Void

    private let pool: DatabasePool
    private let path: String
    private let maxBatch: Int
    private let capacity: Int
    private let onCommitted: CommitHandler
    private let onHealthChange: HealthHandler

    private var pending: [WriteOperation] = []
    private var workAvailable: CheckedContinuation<Void, Never>?
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var closed = false
    public private(set) var health = StoreHealth()

    /// - Parameters:
    ///   - maxBatch: the most operations in one transaction.
    ///   - capacity: ``submit(_:)`` waits while this many operations are uncommitted (bounded memory).
    public init(pool: DatabasePool, path: String, maxBatch: Int = 512, capacity: Int = 8192,
                onCommitted: @escaping CommitHandler = { _, _ in },
                onHealthChange: @escaping HealthHandler = { _ in }) {
        self.pool = pool
        self.path = path
        self.maxBatch = max(1, maxBatch)
        self.capacity = max(1, capacity)
        self.onCommitted = onCommitted
        self.onHealthChange = onHealthChange
    }

    /// Queues an operation for the next commit. Waits only when `capacity` operations are already
    /// waiting for the disk.
    public func submit(_ operation: WriteOperation) async {
        while pending.count >= capacity && !closed {
            await withCheckedContinuation { spaceWaiters.append($0) }
        }
        pending.append(operation)
        if let waiter = workAvailable {
            workAvailable = nil
            waiter.resume()
        }
    }

    /// No more operations will come: ``run()`` returns once everything queued is committed.
    public func close() {
        closed = true
        if let waiter = workAvailable {
            workAvailable = nil
            waiter.resume()
        }
    }

    /// Operations accepted but not yet committed.
    public var pendingCount: Int { pending.count }

    /// Commits until ``close()`` has been called and the queue is empty.
    public func run() async {
        var backoffMs: UInt64 = 100
        while true {
            if pending.isEmpty {
                if closed { return }
                await withCheckedContinuation { workAvailable = $0 }
                continue
            }
            let batch = Array(pending.prefix(maxBatch))
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                try await pool.write { db in
                    try Self.apply(batch, in: db)
                }
                let duration = DispatchTime.now().uptimeNanoseconds - started
                pending.removeFirst(batch.count)
                backoffMs = 100
                let waiters = spaceWaiters
                spaceWaiters.removeAll()
                waiters.forEach { $0.resume() }
                if health.failure != nil {
                    health.failure = nil
                    health.failingSinceMs = nil
                    health.pending = pending.count
                    onHealthChange(health)
                }
                onCommitted(batch, duration)
            } catch {
                // GRDB has rolled the transaction back; keep the operations and try again.
                let reason = SmileyDatabase.describe(error)
                if health.failure == nil {
                    health.failingSinceMs = Int64(Date().timeIntervalSince1970 * 1000)
                }
                health.failure = "committing to \(path) failed: \(reason); \(pending.count) change(s) held in memory, retrying"
                health.pending = pending.count
                health.retries += 1
                onHealthChange(health)
                try? await Task.sleep(nanoseconds: backoffMs * 1_000_000)
                backoffMs = min(backoffMs * 2, 5_000)
            }
        }
    }

    // MARK: - SQL

    static func apply(_ batch: [WriteOperation], in db: Database) throws {
        for operation in batch {
            switch operation {
            case .insert(let sample):
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO sample (uuid, terminal, site, survey, button, scale, button_name,
                        recorded_at, utc_offset, boot_id, monotonic_ns, clock_synchronized, misuse)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                try statement.execute(arguments: [
                    sample.id, sample.terminal, sample.site, sample.survey, sample.button, sample.scale,
                    sample.buttonName, sample.recordedAtMs, sample.utcOffsetSeconds, sample.bootID,
                    Int64(bitPattern: sample.monotonicNs), sample.clockSynchronized, sample.misuse?.rawValue,
                ])
            case .reflag(let id, let misuse):
                try db.cachedStatement(sql: "UPDATE sample SET misuse = ? WHERE uuid = ?")
                    .execute(arguments: [misuse.rawValue, id])
            case .held(let id, let heldMs):
                try db.cachedStatement(sql: "UPDATE sample SET held_ms = ? WHERE uuid = ?")
                    .execute(arguments: [heldMs, id])
            case .correctClock(let bootID, let syncMonotonicNs, let syncWallMs, let zone):
                try ClockCorrection.apply(bootID: bootID, syncMonotonicNs: syncMonotonicNs,
                                          syncWallMs: syncWallMs, timeZone: zone, in: db)
            }
        }
    }
}

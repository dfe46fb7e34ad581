import Foundation
import GRDB

/// Group commit for the collector (the same idea as the terminal's SampleWriter): while one
/// transaction is being written and synced, new batches queue up and all of them go into the next
/// one — one fsync for many terminals' batches under load, one per batch at a quiet pace. A batch
/// and its idempotency record are still applied together, and nothing is answered before its
/// transaction is durable.
actor CommitQueue {
    private let pool: DatabasePool
    private var waiting: [(job: CommitJob, continuation: CheckedContinuation<(SubmitOutcome, Int), any Error>)] = []
    private var draining = false
    /// The most batches in one transaction.
    private let maxGroup = 64

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func submit(_ job: CommitJob) async throws -> (SubmitOutcome, Int) {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((job, continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let group = Array(waiting.prefix(maxGroup))
            waiting.removeFirst(group.count)
            let jobs = group.map(\.job)
            do {
                let results = try await pool.write { db in
                    try jobs.map { try SQLiteCollectorStorage.apply($0, in: db) }
                }
                for (entry, result) in zip(group, results) { entry.continuation.resume(returning: result) }
            } catch {
                // The transaction rolled back: nothing of the group is stored; each is answered 503.
                for entry in group { entry.continuation.resume(throwing: error) }
            }
        }
        draining = false
    }
}

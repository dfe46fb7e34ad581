import Foundation
import GRDB
import Testing
import SmileyPlatform
import SmileyCore
@testable import SmileyStore

/// Inserts `count` samples as the writer would, one minute apart, and returns them.
@discardableResult
func insertSamples(_ pool: DatabasePool, count: Int, from ms: Int64 = 1_795_341_600_000, boot: String = "boot-a",
                   synchronized: Bool = true, terminal: String = "t1", site: String = "s1") throws -> [NewSample] {
    var samples: [NewSample] = []
    for i in 0..<count {
        var sample = makeSample(button: i % 4, at: ms + Int64(i) * 60_000, boot: boot,
                                monotonicNs: UInt64(i + 1) * 1_000_000_000, synchronized: synchronized)
        sample.terminal = terminal
        sample.site = site
        samples.append(sample)
    }
    try pool.write { db in try SampleWriter.apply(samples.map(WriteOperation.insert), in: db) }
    return samples
}

@Suite("Upstream batches in the terminal's database")
struct SyncStoreTests {
    let nowMs: Int64 = 1_795_400_000_000

    @Test("a new batch is committed — id and members — before it is returned, and comes back unchanged until done")
    func batchIsDurableAndStable() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let inserted = try insertSamples(pool, count: 12)
        let store = SyncStore(pool: pool, path: path)

        let batch = try #require(try await store.nextBatch(BatchSelection(limit: 5), nowMs: nowMs))
        #expect(batch.samples.map(\.id) == inserted.prefix(5).map(\.id))
        #expect(batch.state == .inFlight && batch.attempts == 0)

        // Another connection (a restarted daemon) sees the batch and its members on disk.
        let again = try DatabaseQueue(path: path)
        let members = try await again.read { db in
            try Data.fetchAll(db, sql: """
                SELECT s.uuid FROM sample s JOIN sync_batch b ON s.id BETWEEN b.first_sample AND b.last_sample
                WHERE b.uuid = ? ORDER BY s.id
                """, arguments: [batch.id])
        }
        #expect(members.count == 5)

        // A failure keeps the same key and the same samples; nothing new is formed meanwhile.
        try await store.recordFailure(batch, status: 503, error: "HTTP 503", nowMs: nowMs + 1)
        let retry = try #require(try await store.nextBatch(BatchSelection(limit: 5), nowMs: nowMs + 2))
        #expect(retry.id == batch.id)
        #expect(retry.samples == batch.samples)
        #expect(retry.attempts == 1)

        // Done: synced, and the next batch takes the next oldest samples.
        let next = try #require(try await store.complete(batch, status: 200, nowMs: nowMs + 3, next: BatchSelection(limit: 5)))
        #expect(next.id != batch.id)
        #expect(next.samples.map(\.id) == inserted[5..<10].map(\.id))
        let synced = try StoreReader(path: path).samples(afterRowID: 0).filter(\.synced).map(\.id)
        #expect(synced == inserted.prefix(5).map(\.id))
    }

    @Test("selection: the horizon, the clock hold and one terminal and site per batch")
    func selection() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let store = SyncStore(pool: pool, path: path)
        let synced = try insertSamples(pool, count: 3)                                   // rows 1-3
        let renamed = try insertSamples(pool, count: 2, terminal: "t2")                  // rows 4-5
        let unsynchronized = try insertSamples(pool, count: 2, boot: "boot-now", synchronized: false) // rows 6-7

        // Only up to the horizon.
        var batch = try #require(try await store.nextBatch(BatchSelection(limit: 100, horizon: 2), nowMs: nowMs))
        #expect(batch.samples.map(\.id) == synced.prefix(2).map(\.id))
        batch = try #require(try await store.complete(batch, status: 200, nowMs: nowMs,
                                                      next: BatchSelection(limit: 100, holdUncorrectedOfBoot: "boot-now")))
        // The batch stops where the terminal changes…
        #expect(batch.samples.map(\.id) == [synced[2].id])
        batch = try #require(try await store.complete(batch, status: 200, nowMs: nowMs,
                                                      next: BatchSelection(limit: 100, holdUncorrectedOfBoot: "boot-now")))
        #expect(batch.samples.map(\.id) == renamed.map(\.id))
        #expect(batch.terminal == "t2" && batch.firstSample == 4 && batch.lastSample == 5)
        // …and before the held boot's uncorrected samples.
        #expect(try await store.hasUnbatched(BatchSelection(limit: 10, holdUncorrectedOfBoot: "boot-now")) == false)
        #expect(try await store.hasUnbatched(BatchSelection(limit: 10)) == true)
        let last = try await store.complete(batch, status: 200, nowMs: nowMs, next: BatchSelection(limit: 100, holdUncorrectedOfBoot: "boot-now"))
        #expect(last == nil)
        // Without the hold they go, flagged as taken with an unsynchronized clock.
        let held = try #require(try await store.nextBatch(BatchSelection(limit: 100), nowMs: nowMs))
        #expect(held.samples.map(\.id) == unsynchronized.map(\.id))
        #expect(held.samples.allSatisfy { !$0.clockSynchronized })
    }

    @Test("a quarantined batch keeps its samples out of new batches until it is put back under the same key")
    func quarantine() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let store = SyncStore(pool: pool, path: path)
        try insertSamples(pool, count: 6)
        let first = try #require(try await store.nextBatch(BatchSelection(limit: 3), nowMs: nowMs))
        try await store.quarantine(first, status: 400, error: "HTTP 400: samples[0].button", nowMs: nowMs)
        let second = try #require(try await store.nextBatch(BatchSelection(limit: 3), nowMs: nowMs))
        #expect(Set(second.samples.map(\.id)).isDisjoint(with: first.samples.map(\.id)))
        _ = try await store.complete(second, status: 200, nowMs: nowMs, next: nil)
        #expect(try await store.nextBatch(BatchSelection(limit: 3), nowMs: nowMs) == nil)

        var counts = try await store.counts()
        #expect(counts.unsynced == 3 && counts.quarantinedSamples == 3 && counts.quarantinedBatches == 1 && counts.sendable == 0)
        let info = try await store.quarantinedBatches()
        #expect(info.map(\.id) == [first.id] && info.first?.lastStatus == 400)
        // Status readers see the same through a read-only connection.
        #expect(try StoreReader(path: path).syncCounts() == counts)

        let back = try await store.requeueQuarantined(nowMs: nowMs)
        #expect(back.batches == 1 && back.samples == 3)
        let again = try #require(try await store.nextBatch(BatchSelection(limit: 3), nowMs: nowMs))
        #expect(again.id == first.id && again.samples == first.samples)
        counts = try await store.counts()
        #expect(counts.quarantinedBatches == 0 && counts.openBatches == 1)
    }

    @Test("retention deletes synced samples older than the cutoff, never unsynced ones")
    func retention() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let store = SyncStore(pool: pool, path: path)
        let old = try insertSamples(pool, count: 10, from: 1_000_000_000_000)        // 2001
        let recent = try insertSamples(pool, count: 4, from: 1_795_341_600_000)
        // Sync the first 6 old ones and 2 recent ones.
        var batch = try #require(try await store.nextBatch(BatchSelection(limit: 6), nowMs: nowMs))
        _ = try await store.complete(batch, status: 200, nowMs: 1_000_000_000_000, next: nil)
        batch = try #require(try await store.nextBatch(BatchSelection(limit: 4), nowMs: nowMs))  // old 7-10: quarantined
        try await store.quarantine(batch, status: 422, error: "x", nowMs: nowMs)
        batch = try #require(try await store.nextBatch(BatchSelection(limit: 2), nowMs: nowMs))
        _ = try await store.complete(batch, status: 200, nowMs: nowMs, next: nil)

        let pruned = try await store.prune(syncedBeforeMs: 1_700_000_000_000, chunk: 4)
        #expect(pruned == 6)
        let left = try StoreReader(path: path).samples(afterRowID: 0).map(\.id)
        #expect(left == old[6...].map(\.id) + recent.map(\.id))
        // The done batch of the pruned samples is gone; the quarantined one stays.
        let batches = try await pool.read { db in try String.fetchAll(db, sql: "SELECT state FROM sync_batch ORDER BY id") }
        #expect(batches == ["quarantined", "done"])
    }

    @Test("a clock correction leaves samples already handed to a batch as they were sent")
    func correctionSkipsBatched() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let store = SyncStore(pool: pool, path: path)
        let samples = try insertSamples(pool, count: 4, boot: "boot-x", synchronized: false)
        let batch = try #require(try await store.nextBatch(BatchSelection(limit: 2), nowMs: nowMs))
        try await pool.write { db in
            try SampleWriter.apply([.correctClock(bootID: "boot-x", syncMonotonicNs: 10_000_000_000, syncWallMs: nowMs,
                                                  zone: .utc)], in: db)
        }
        let rows = try StoreReader(path: path).samples(afterRowID: 0)
        #expect(rows.prefix(2).allSatisfy { $0.originalRecordedAtMs == nil })
        #expect(rows.map(\.recordedAtMs).prefix(2) == samples.prefix(2).map(\.recordedAtMs)[...])
        #expect(rows.suffix(2).allSatisfy { $0.clockState == "corrected" })
        let resent = try #require(try await store.nextBatch(BatchSelection(limit: 2), nowMs: nowMs))
        #expect(resent == batch)
    }

    @Test("new batches read the backlog as a row id range after the last batch, not the whole table")
    func queryPlan() throws {
        let folder = TemporaryFolder()
        let pool = try SmileyDatabase.openForWriting(path: folder.file("smiley.sqlite"))
        let (sql, arguments) = SyncStore.unbatchedQuery(BatchSelection(limit: 500, horizon: 100, holdUncorrectedOfBoot: "b"))
        let plan = try pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
        // A range search (the unsynced partial index or the row ids), never a scan of the table.
        #expect(plan.contains { $0.hasPrefix("SEARCH sample") && ($0.contains("(id>? AND id<?)") || $0.contains("(rowid>? AND rowid<?)")) },
                "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN sample") }, "\(plan)")
    }

    @Test("retention keeps the newest sample, so new row ids stay above every batch's range")
    func rowIDsOnlyGrow() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let store = SyncStore(pool: pool, path: path)
        try insertSamples(pool, count: 5, from: 1_000_000_000_000)
        let batch = try #require(try await store.nextBatch(BatchSelection(limit: 10), nowMs: nowMs))
        _ = try await store.complete(batch, status: 200, nowMs: nowMs, next: nil)
        #expect(try await store.prune(syncedBeforeMs: nowMs) == 4)
        let fresh = try insertSamples(pool, count: 1)
        let next = try #require(try await store.nextBatch(BatchSelection(limit: 10), nowMs: nowMs))
        #expect(next.samples.map(\.id) == fresh.map(\.id) && next.firstSample == 6)
    }

    @Test("a database from before the sync gets the v2-sync-batches migration, its samples all unsynced")
    func migratesV1Database() throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let v1 = try DatabaseQueue(path: path)
        try SmileyMigrations.migrator.migrate(v1, upTo: "v1-create-sample")
        try v1.write { db in try SampleWriter.applyV1Insert(makeSample(), in: db) }
        try v1.close()
        let pool = try SmileyDatabase.openForWriting(path: path)
        let applied = try pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied == SmileyMigrations.migrator.migrations)
        #expect(applied.contains("v2-sync-batches"))
        #expect(try StoreReader(path: path).syncCounts().unsynced == 1)
    }
}

extension SampleWriter {
    /// An insert with the v1 columns only (the writer's own statement is the same).
    static func applyV1Insert(_ sample: NewSample, in db: Database) throws {
        try apply([.insert(sample)], in: db)
    }
}

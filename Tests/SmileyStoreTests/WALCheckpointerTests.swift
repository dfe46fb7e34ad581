import Foundation
import GRDB
import Testing
import SmileyCore
import Synchronization
@testable import SmileyStore

@Suite("WAL checkpoints beside the writer")
struct WALCheckpointerTests {
    static func write(_ count: Int, from start: Int64, to pool: DatabasePool, path: String) async {
        let writer = SampleWriter(pool: pool, path: path, maxBatch: 64)
        let runner = Task { await writer.run() }
        for i in 0..<count {
            await writer.submit(.insert(makeSample(button: i % 4, at: start + Int64(i))))
        }
        writer.close()
        await runner.value
    }

    @Test("installed, commits no longer checkpoint by themselves: the WAL grows past SQLite's 1,000 pages")
    func commitsDoNotCheckpoint() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let checkpointer = try WALCheckpointer(path: path)
        checkpointer.install(on: pool)
        // Not running: nobody checkpoints.
        await Self.write(20_000, from: 1_795_341_600_000, to: pool, path: path)
        // The frames in the WAL, as a checkpoint on another connection reports them: all of the
        // 20,000 rows' pages (SQLite's own checkpoint would have restarted the log at 1,000).
        let other = try DatabaseQueue(path: path)
        let frames = try await other.writeWithoutTransaction { db in
            try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)").map { $0[1] as Int } ?? 0
        }
        #expect(frames > 2_000, "the WAL held \(frames) frames")
        #expect(checkpointer.checkpoints == 0)
        checkpointer.uninstall(from: pool)
    }

    @Test("running, it checkpoints once the WAL has grown past its threshold, and the rows are all there")
    func checkpointsWhenGrown() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let checkpointed = Observed(0)
        let checkpointer = try WALCheckpointer(path: path, thresholdPages: 50, onCheckpointed: { checkpointed.set($0) })
        checkpointer.install(on: pool)
        let running = Task { await checkpointer.run() }
        await Self.write(5_000, from: 1_795_341_600_000, to: pool, path: path)
        // The checkpoint runs on its own connection, after the commit that asked for it.
        #expect(await checkpointed.holds(within: .seconds(60)) { $0 >= 1 })
        checkpointer.close()
        await running.value
        #expect(checkpointer.checkpoints >= 1)
        #expect(checkpointer.failure == nil)
        checkpointer.uninstall(from: pool)
        let count = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sample") }
        #expect(count == 5_000)
    }

    @Test("a checkpoint on a full disk is reported once with its reason, then recovery once there is space",
          .enabled(if: SmallDisk.canMount, "needs root to mount a small tmpfs"))
    func failureIsReported() async throws {
        let folder = TemporaryFolder()
        let disk = try SmallDisk(in: folder, megabytes: 4)
        defer { disk.unmount() }
        let path = disk.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let reports = Observed<[String?]>([])
        let checkpointed = Observed(0)
        // The pause after a failed checkpoint passes when the test says.
        let clock = ManualClock()
        let checkpointer = try WALCheckpointer(path: path, thresholdPages: 50, onFailureChange: { failure in
            reports.update { $0.append(failure) }
        }, onCheckpointed: { checkpointed.set($0) }, clock: clock)
        checkpointer.install(on: pool)
        // Not running yet: the WAL grows past the threshold and holds the rows' pages.
        await Self.write(1_000, from: 1_795_341_600_000, to: pool, path: path)
        let databaseBytes = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)

        // Fill the disk: copying the WAL's pages into the database file needs room it lacks.
        disk.fill()

        let running = Task { await checkpointer.run() }
        _ = await reports.wait(upTo: .seconds(60)) { !$0.isEmpty }
        let failure = try #require(reports.value.first ?? nil, "no failure reported")
        #expect(failure.contains("full"), "reason: \(failure)")
        #expect(checkpointer.failure == failure)
        #expect(checkpointer.checkpoints == 0)

        // It pauses before trying again.
        await clock.waitUntilSleepers { $0 == [.seconds(1)] }

        // Room again; the next commit asks for a checkpoint, which succeeds once the pause is over.
        try disk.free()
        await Self.write(1, from: 1_795_341_700_000, to: pool, path: path)
        clock.advance(by: .seconds(1))
        #expect(await checkpointed.holds(within: .seconds(60)) { $0 >= 1 })
        checkpointer.close()
        await running.value
        checkpointer.uninstall(from: pool)
        #expect(checkpointer.checkpoints >= 1)
        #expect(checkpointer.failure == nil)
        // Reported once each, however often the failing checkpoint was retried.
        #expect(reports.value == [failure, nil])
        // The checkpoint moved the pages into the database file, and no row is lost.
        let grown = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(grown > databaseBytes)
        let count = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sample") }
        #expect(count == 1_001)
    }
}

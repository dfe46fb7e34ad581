import Foundation
import GRDB
import Testing
import SmileyCore
import SmileyPlatform
@testable import SmileyStore

@Suite("The daemon's database and writer")
struct SampleWriterTests {
    @Test("the database is opened in WAL mode with synchronous=FULL and the schema applied")
    func durabilitySettings() throws {
        let folder = TemporaryFolder()
        let pool = try SmileyDatabase.openForWriting(path: folder.file("sub/dir/smiley.sqlite"))
        let journal = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        let hasTable = try pool.read { db in try db.tableExists("sample") }
        let synchronous = try pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(journal == "wal")
        #expect(hasTable)
        #expect(synchronous == 2) // FULL
    }

    @Test("inserts commit in order; re-flags and held updates apply to the right row")
    func operations() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let log = WriterLog()
        let writer = SampleWriter(pool: pool, path: path, onCommitted: { batch, _ in log.committed(batch) })
        let runner = Task { await writer.run() }
        let first = makeSample(button: 0, at: 1_000)
        let second = makeSample(button: 3, at: 1_100)
        await writer.submit(.insert(first))
        await writer.submit(.insert(second))
        await writer.submit(.reflag(id: first.id, misuse: .simultaneous))
        await writer.submit(.held(id: second.id, heldMs: 3000))
        writer.close()
        await runner.value

        let rows = try StoreReader(path: path).samples(afterRowID: 0)
        #expect(rows.map(\.id) == [first.id, second.id])
        #expect(rows.map(\.misuse) == [.simultaneous, nil])
        #expect(rows.map(\.heldMs) == [nil, 3000])
        #expect(rows.allSatisfy { !$0.synced })
        #expect(log.batches.flatMap { $0 }.count == 4)
    }

    @Test("a burst is committed in groups, not one transaction per press")
    func groupCommit() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let log = WriterLog()
        let writer = SampleWriter(pool: pool, path: path, maxBatch: 256, onCommitted: { batch, _ in log.committed(batch) })
        let runner = Task { await writer.run() }
        for i in 0..<2000 {
            await writer.submit(.insert(makeSample(button: i % 4, at: 1_000 + Int64(i))))
        }
        writer.close()
        await runner.value
        #expect(try StoreReader(path: path).totals().samples == 2000)
        #expect(log.batches.count < 2000 / 4)
        #expect(log.batches.allSatisfy { $0.count <= 256 })
    }

    @Test("a full disk: commits fail, presses are held and retried, and all land once there is space")
    func fullDisk() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        // A tiny page budget makes SQLite answer SQLITE_FULL for real: the schema's pages
        // (v1, v2-sync-batches, v3-report-indexes: 11) and one more.
        let pool = try SmileyDatabase.openForWriting(path: path, maxPageCount: 12)
        let log = WriterLog()
        let writer = SampleWriter(pool: pool, path: path, maxBatch: 64,
                                  onCommitted: { batch, _ in log.committed(batch) },
                                  onHealthChange: { log.healthChanged($0) })
        let runner = Task { await writer.run() }
        for i in 0..<400 {
            await writer.submit(.insert(makeSample(button: i % 4, at: 10_000 + Int64(i))))
        }
        // Wait for the failure to be reported.
        #expect(await log.waitForHealth { $0.failure != nil })
        let failure = try #require(log.health.first { $0.failure != nil })
        #expect(failure.failure?.contains("full") == true)
        #expect(writer.pendingCount > 0)
        // Free space: lift the limit on the writer connection.
        try await pool.write { db in try db.execute(sql: "PRAGMA max_page_count = 1000000") }
        writer.close()
        await runner.value
        #expect(try StoreReader(path: path).totals().samples == 400)
        #expect(log.health.last?.failure == nil)
        #expect(Set(log.batches.flatMap { $0 }).count == 400)
    }

    @Test("after a clock sync, this boot's unsynchronized samples move to their true time; others stay")
    func clockCorrection() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let writer = SampleWriter(pool: pool, path: path)
        let runner = Task { await writer.run() }
        // The clock said 2026-11-20 (restored from a stale save); the press was at mono 100 s.
        let early = makeSample(at: 1_795_100_000_000, boot: "boot-a", monotonicNs: 100_000_000_000, synchronized: false)
        let otherBoot = makeSample(at: 1_795_100_000_000, boot: "boot-b", monotonicNs: 100_000_000_000, synchronized: false)
        let synced = makeSample(at: 1_795_341_700_000, boot: "boot-a", monotonicNs: 200_000_000_000, synchronized: true)
        for sample in [early, otherBoot, synced] { await writer.submit(.insert(sample)) }
        // Synced at mono 160 s when the true time was 2026-11-22T10:00:00Z (in Helsinki: +02:00).
        await writer.submit(.correctClock(bootID: "boot-a", syncMonotonicNs: 160_000_000_000, syncWallMs: 1_795_341_600_000,
                                          zone: try #require(Zone(identifier: "Europe/Helsinki"))))
        writer.close()
        await runner.value

        let rows = try StoreReader(path: path).samples(afterRowID: 0)
        #expect(rows[0].recordedAtMs == 1_795_341_600_000 - 60_000)
        #expect(rows[0].originalRecordedAtMs == 1_795_100_000_000)
        #expect(rows[0].clockState == "corrected")
        #expect(rows[0].utcOffsetSeconds == 7200)
        #expect(rows[1].recordedAtMs == 1_795_100_000_000)
        #expect(rows[1].clockState == "unsynchronized")
        #expect(rows[2].recordedAtMs == 1_795_341_700_000)
        #expect(rows[2].originalRecordedAtMs == nil)
    }

    @Test("a database written by a newer Smiley is refused, untouched")
    func newerSchema() throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        do {
            let pool = try SmileyDatabase.openForWriting(path: path)
            try pool.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-from-the-future')") }
        }
        #expect {
            _ = try SmileyDatabase.openForWriting(path: path)
        } throws: { error in
            guard let error = error as? StoreError, case .newerSchema(_, let unknown, _) = error else { return false }
            return unknown == ["v99-from-the-future"] && error.exitCode == 65
                && error.description.contains("newer Smiley")
        }
        #expect(throws: StoreError.self) { _ = try StoreReader(path: path) }
    }

    @Test("a file where the database folder should be gives a clear error")
    func folderIsAFile() throws {
        let folder = TemporaryFolder()
        FileManager.default.createFile(atPath: folder.file("blocker"), contents: Data("x".utf8))
        #expect {
            _ = try SmileyDatabase.openForWriting(path: folder.file("blocker/smiley.sqlite"))
        } throws: { error in
            guard let error = error as? StoreError, case .cannotCreateFolder(let path, _) = error else { return false }
            return path.hasSuffix("blocker") && error.exitCode == 73
        }
    }

    @Test("a file that is not a database is reported with its path")
    func notADatabase() throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 4096))
        #expect {
            _ = try SmileyDatabase.openForWriting(path: path)
        } throws: { error in
            (error as? StoreError)?.description.contains(path) == true
        }
    }
}

@Suite("Read-only access for staff tools")
struct StoreReaderTests {
    @Test("a missing database is reported as missing, not created")
    func missing() {
        let folder = TemporaryFolder()
        let path = folder.file("nope.sqlite")
        #expect(throws: StoreError.missing(path: path)) { _ = try StoreReader(path: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("reads while the daemon's writer holds the database open, and tallies a time range")
    func concurrentRead() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let log = WriterLog()
        let writer = SampleWriter(pool: pool, path: path, onCommitted: { batch, _ in log.committed(batch) })
        let runner = Task { await writer.run() }
        let samples = [makeSample(button: 3, at: 1_000), makeSample(button: 3, at: 2_000),
                       makeSample(button: 0, at: 3_000, misuse: .interval), makeSample(button: 1, at: 9_000)]
        for sample in samples { await writer.submit(.insert(sample)) }
        #expect(await log.waitForCommitted(samples.count))

        let reader = try StoreReader(path: path)
        let tally = try reader.tally(in: 0..<5_000, buttons: 4)
        #expect(tally.accepted == [0, 0, 0, 2])
        #expect(tally.flagged[.interval] == [1, 0, 0, 0])
        #expect(try reader.lastSample()?.recordedAtMs == 9_000)
        #expect(reader.sizeOnDisk() > 0)
        // The read-only connection cannot write.
        #expect(throws: (any Error).self) {
            try reader.database.write { db in try db.execute(sql: "DELETE FROM sample") }
        }
        writer.close()
        await runner.value
        #expect(try reader.totals().samples == 4)
    }
}

@Suite("Sample ids")
struct SampleIDTests {
    @Test("ids are UUID version 7 and carry their millisecond")
    func version7() {
        let id = SampleID.make(unixMs: 1_795_341_600_123)
        #expect(id.uuidString.dropFirst(14).first == "7")
        #expect(SampleID.unixMs(of: id) == 1_795_341_600_123)
        let variant = id.uuid.8 >> 6
        #expect(variant == 0b10)
    }

    @Test("ids of later milliseconds sort later")
    func ordered() {
        let ids = (0..<100).map { SampleID.make(unixMs: 1_000_000 + Int64($0)) }
        let bytes = ids.map { withUnsafeBytes(of: $0.uuid) { Array($0) } }
        #expect(bytes == bytes.sorted { $0.lexicographicallyPrecedes($1) })
    }
}

@Suite("Inserting a sample through SQLite's C API")
struct SampleInsertTests {
    @Test("every column is stored as given, including a monotonic time above Int64.max, an empty text and a misuse flag")
    func everyColumn() throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        var sample = makeSample(button: 3, at: 1_795_341_612_345, boot: "boot-ä ü", monotonicNs: UInt64(Int64.max) + 17,
                                synchronized: false, misuse: .simultaneous)
        sample.terminal = "store-12-entrance"
        sample.site = "" // an empty text is '', not NULL
        sample.utcOffsetSeconds = -12_600
        let plain = makeSample(button: 0, at: 1_795_341_612_999)
        let stored = sample
        try pool.write { db in
            try SampleInsert.insert(stored, in: db)
            try SampleInsert.insert(plain, in: db)
        }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT uuid, terminal, site, survey, button, scale, button_name, recorded_at, utc_offset, boot_id,
                       monotonic_ns, clock_synchronized, misuse, sync_state FROM sample ORDER BY id
                """)
        }
        try #require(rows.count == 2)
        let row = rows[0]
        let uuid: Data = row["uuid"]
        #expect(uuid == withUnsafeBytes(of: sample.id.uuid) { Data($0) })
        #expect(row["terminal"] as String == "store-12-entrance")
        #expect(row["site"] as String? == "")
        #expect(row["survey"] as String == sample.survey)
        #expect(row["button"] as Int == 3)
        #expect(row["scale"] as Int == 4)
        #expect(row["button_name"] as String == "very-happy")
        #expect(row["recorded_at"] as Int64 == 1_795_341_612_345)
        #expect(row["utc_offset"] as Int == -12_600)
        #expect(row["boot_id"] as String == "boot-ä ü")
        #expect(UInt64(bitPattern: row["monotonic_ns"] as Int64) == UInt64(Int64.max) + 17)
        #expect(row["clock_synchronized"] as Int == 0)
        #expect(row["misuse"] as String? == "simultaneous")
        #expect(row["sync_state"] as String == "pending")
        #expect(rows[1]["misuse"] as String? == nil)
        #expect(rows[1]["clock_synchronized"] as Int == 1)
    }

    @Test("a constraint failure is a DatabaseError naming the statement, and the statement is usable again")
    func failureIsReported() throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let pool = try SmileyDatabase.openForWriting(path: path)
        let sample = makeSample()
        let duplicateError = try pool.write { db -> DatabaseError? in
            try SampleInsert.insert(sample, in: db)
            var duplicateError: DatabaseError?
            do {
                try SampleInsert.insert(sample, in: db) // same uuid: UNIQUE
            } catch let error as DatabaseError {
                duplicateError = error
            }
            try SampleInsert.insert(makeSample(at: 1_795_341_600_500), in: db)
            return duplicateError
        }
        #expect(duplicateError?.resultCode == .SQLITE_CONSTRAINT)
        #expect(duplicateError?.message?.contains("sample.uuid") == true)
        #expect(duplicateError?.sql?.contains("INSERT INTO sample") == true)
        let count = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sample") }
        #expect(count == 2)
    }
}

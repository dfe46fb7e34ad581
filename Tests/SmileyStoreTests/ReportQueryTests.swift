import Foundation
import GRDB
import Testing
import SmileyCore
@testable import SmileyStore

/// Inserts samples with the daemon's writer.
func store(_ samples: [NewSample], at path: String) async throws {
    let pool = try SmileyDatabase.openForWriting(path: path)
    let writer = SampleWriter(pool: pool, path: path)
    let runner = Task { await writer.run() }
    for sample in samples { await writer.submit(.insert(sample)) }
    await writer.close()
    await runner.value
}

/// A sample at a local wall time (`2026-11-22T09:15:00`) with a UTC offset in seconds.
func localSample(_ local: String, offset: Int = 7200, button: Int = 3, survey: String = "q1",
                 misuse: MisuseReason? = nil) -> NewSample {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(secondsFromGMT: offset)
    formatter.formatOptions = [.withFullDate, .withFullTime, .withDashSeparatorInDate, .withColonSeparatorInTime]
    let date = formatter.date(from: local + HourSlot.offsetText(offset))!
    var sample = makeSample(button: button, at: Int64(date.timeIntervalSince1970 * 1000), misuse: misuse)
    sample.utcOffsetSeconds = offset
    sample.survey = survey
    return sample
}

@Suite("Report queries on a real SQLite file")
struct ReportQueryTests {
    @Test("v3-report-indexes comes after v1 and creates the covering indexes")
    func migration() throws {
        let folder = TemporaryFolder()
        let pool = try SmileyDatabase.openForWriting(path: folder.file("smiley.sqlite"))
        let applied = try pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied.contains("v1-create-sample") && applied.contains("v3-report-indexes"))
        let indexes = try pool.read { db in try db.indexes(on: "sample").map(\.name) }
        #expect(indexes.contains("sample_by_local_hour"))
        let columns = try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_xinfo('sample')") }
        #expect(columns.contains("local_hour"))
        #expect(SmileyMigrations.migrator.migrations.firstIndex(of: "v3-report-indexes")!
                > SmileyMigrations.migrator.migrations.firstIndex(of: "v1-create-sample")!)
    }

    @Test("the hourly query walks the local-hour index in GROUP BY order: no sort, with and without a survey")
    func queryPlan() throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        _ = try SmileyDatabase.openForWriting(path: path)
        let reader = try StoreReader(path: path)
        let plain = try reader.hourlyQueryPlan(survey: nil)
        #expect(plain.contains("USING INDEX sample_by_local_hour (local_hour>? AND local_hour<?)"), "\(plain)")
        #expect(!plain.contains("TEMP B-TREE"), "\(plain)")
        let survey = try reader.hourlyQueryPlan(survey: "q1")
        #expect(survey.contains("USING INDEX sample_by_local_hour (local_hour>? AND local_hour<?)"), "\(survey)")
        #expect(!survey.contains("TEMP B-TREE"), "\(survey)")
    }

    @Test("a database smileyd has not upgraded yet (v1 only) gives the same counts, without the column")
    func beforeUpgrade() async throws {
        let folder = TemporaryFolder()
        let old = folder.file("old.sqlite"), new = folder.file("new.sqlite")
        let samples = [localSample("2026-11-22T09:15:00"), localSample("2026-11-22T09:30:00", offset: 0, button: 1),
                       localSample("2026-10-25T03:30:00", offset: 10800), localSample("2026-10-25T03:30:00", offset: 7200, button: 0),
                       localSample("2026-11-21T23:59:59")]
        try await store(samples, at: new)
        let queue = try DatabaseQueue(path: old)
        try SmileyMigrations.migrator.migrate(queue, upTo: "v1-create-sample")
        try await queue.write { db in
            for s in samples {
                try db.execute(sql: """
                    INSERT INTO sample (uuid, terminal, site, survey, button, scale, button_name, recorded_at, utc_offset,
                                        boot_id, monotonic_ns, clock_synchronized)
                    VALUES (?, 't', 's', ?, ?, 4, ?, ?, ?, 'b', 1, 1)
                    """, arguments: [s.id, s.survey, s.button, s.buttonName, s.recordedAtMs, s.utcOffsetSeconds])
            }
        }
        try queue.close()
        for period in [ReportPeriod.day(LocalDay(year: 2026, month: 11, day: 22)), .day(LocalDay(year: 2026, month: 10, day: 25)),
                       .month(YearMonth(year: 2026, month: 11))] {
            let before = try StoreReader(path: old).hourlyCounts(localRange: period.localRangeMs, survey: nil)
            let after = try StoreReader(path: new).hourlyCounts(localRange: period.localRangeMs, survey: nil)
            #expect(Set(before) == Set(after))
            #expect(!before.isEmpty)
        }
        #expect(try StoreReader(path: old).hourlyQueryPlan(survey: nil).contains("sample_by_time"))
    }

    @Test("presses are grouped by the local hour of their own offset, inside the local range only")
    func hourlyCounts() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        try await store([
            localSample("2026-11-21T23:59:59"),                         // the day before
            localSample("2026-11-22T00:00:00", button: 0),
            localSample("2026-11-22T09:15:00"), localSample("2026-11-22T09:45:00", misuse: .interval),
            localSample("2026-11-22T09:30:00", offset: 0, button: 1),  // London clock: its own 09:00
            localSample("2026-11-22T23:59:59", offset: -18000, button: 2),  // 04:59 UTC on the 23rd
            localSample("2026-11-23T00:00:00"),                         // the day after
        ], at: path)
        let reader = try StoreReader(path: path)
        let day = LocalDay(year: 2026, month: 11, day: 22)
        let counts = try reader.hourlyCounts(localRange: ReportPeriod.day(day).localRangeMs, survey: nil)
        #expect(counts.reduce(0) { $0 + $1.count } == 5)
        let nine = counts.filter { $0.slot.hourOfDay == 9 }
        #expect(Set(nine.map(\.slot.utcOffsetSeconds)) == [0, 7200])
        #expect(nine.first { $0.misuse == .interval }?.count == 1)
        #expect(counts.contains { $0.slot.hourOfDay == 23 && $0.slot.utcOffsetSeconds == -18000 && $0.button == 2 })
        #expect(counts.allSatisfy { $0.slot.day == day })
    }

    @Test("the autumn night's two 03:00 hours come back apart")
    func fallBackHours() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        try await store([localSample("2026-10-25T03:30:00", offset: 10800, button: 3),
                         localSample("2026-10-25T03:30:00", offset: 7200, button: 0)], at: path)
        let counts = try StoreReader(path: path).hourlyCounts(
            localRange: ReportPeriod.day(LocalDay(year: 2026, month: 10, day: 25)).localRangeMs, survey: nil)
        #expect(counts.count == 2)
        #expect(Set(counts.map(\.slot.hourOfDay)) == [3])
        #expect(counts.first { $0.slot.utcOffsetSeconds == 10800 }?.button == 3)
    }

    @Test("a survey filter, and the tallies of earlier periods in the same read")
    func surveysAndEarlier() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        try await store([
            localSample("2026-11-22T10:00:00", survey: "checkout"), localSample("2026-11-22T10:00:01", survey: "toilets"),
            localSample("2026-11-15T10:00:00", button: 1, survey: "checkout"),
            localSample("2026-11-08T10:00:00", button: 2, survey: "checkout", misuse: .simultaneous),
        ], at: path)
        let reader = try StoreReader(path: path)
        let day = ReportPeriod.day(LocalDay(year: 2026, month: 11, day: 22))
        let result = try reader.periodCounts(localRange: day.localRangeMs,
                                             earlier: [day.earlier(1)!.localRangeMs, day.earlier(2)!.localRangeMs],
                                             survey: "checkout", buttons: 4)
        #expect(result.hourly.reduce(0) { $0 + $1.count } == 1)
        #expect(result.earlier[0].accepted == [0, 1, 0, 0])
        #expect(result.earlier[1].flagged[.simultaneous] == [0, 0, 1, 0])
        #expect(try reader.hourlyCounts(localRange: day.localRangeMs, survey: nil).reduce(0) { $0 + $1.count } == 2)
    }

    @Test("export pages go in time order, ties by row id, each sample exactly once")
    func exportPages() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        // 250 samples, in groups of five that share one instant.
        var samples: [NewSample] = []
        for i in 0..<250 {
            samples.append(localSample(String(format: "2026-11-22T10:%02d:00", i / 5 % 60), button: i % 4))
        }
        samples.append(localSample("2026-11-23T10:00:00"))
        try await store(samples.shuffled(), at: path)
        let reader = try StoreReader(path: path)
        let range = ReportPeriod.day(LocalDay(year: 2026, month: 11, day: 22)).localRangeMs
        #expect(try reader.sampleCount(localRange: range, survey: nil) == 250)
        var seen: [StoredSample] = []
        var position: ExportPosition?
        while true {
            let page = try reader.exportPage(localRange: range, survey: nil, after: position, limit: 7)
            seen += page
            guard let last = page.last, page.count == 7 else { break }
            position = ExportPosition(recordedAtMs: last.recordedAtMs, rowID: last.rowID)
        }
        #expect(seen.count == 250)
        #expect(Set(seen.map(\.id)).count == 250)
        let keys = seen.map { ($0.recordedAtMs, $0.rowID) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
        #expect(seen.allSatisfy { $0.syncState == "pending" })
    }

    @Test("tail's queries: the last samples and the highest row id")
    func tailQueries() async throws {
        let folder = TemporaryFolder()
        let path = folder.file("smiley.sqlite")
        let reader0 = { () throws -> StoreReader in try StoreReader(path: path) }
        _ = try SmileyDatabase.openForWriting(path: path)
        #expect(try reader0().maxRowID() == 0)
        try await store((0..<5).map { localSample("2026-11-22T10:00:0\($0)", button: $0 % 4) }, at: path)
        let reader = try reader0()
        #expect(try reader.maxRowID() == 5)
        #expect(try reader.lastSamples(3).map(\.rowID) == [3, 4, 5])
        #expect(try reader.lastSamples(0).isEmpty)
    }
}

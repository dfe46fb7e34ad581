import Foundation
import GRDB
import SmileyTestSupport
import Testing
import SmileyCore
@testable import SmileyStore

/// A terminal upgraded in the field opens a database an older smileyd wrote. These tests build such
/// databases for real — the schema exactly as it stood after an earlier migration, filled the way the
/// first release filled it (plain SQL against the `v1-create-sample` columns) — then open them with
/// today's code and check that every row survives, unchanged, and that the schema is current.
///
/// When a later branch adds a migration (v2, v3, …), `fromEveryEarlierSchema` upgrades from each
/// schema in between as well; the rows are still written with the v1 columns, which every later
/// schema must keep (a new column needs a default).
@Suite("Upgrading a database made by an earlier schema")
struct SchemaUpgradeTests {
    static let firstMigration = "v1-create-sample"

    @Test("a database made by the first schema (v1-create-sample) keeps every row and gains the current schema")
    func fromFirstSchema() async throws {
        try await upgrade(from: Self.firstMigration)
    }

    @Test("a database made by each earlier schema keeps every row and gains the current schema",
          arguments: SmileyMigrations.migrator.migrations)
    func fromEveryEarlierSchema(_ migration: String) async throws {
        try await upgrade(from: migration)
    }

    @Test("the first migration is still registered under its released name and comes first")
    func firstMigrationKeepsItsName() {
        #expect(SmileyMigrations.migrator.migrations.first == Self.firstMigration)
    }

    // MARK: - The upgrade itself

    private func upgrade(from migration: String) async throws {
        let folder = TemporaryFolder()
        let path = folder.file("terminal.sqlite")
        let expected = Self.legacySamples()
        try Self.makeOldDatabase(path: path, upTo: migration, samples: expected)
        let pool = try Self.openAndCheck(path: path, expected: expected)
        let reader = try StoreReader(path: path)
        let range = expected.map(\.recordedAtMs).min()! ..< expected.map(\.recordedAtMs).max()! + 1

        // And the upgraded database takes new presses through today's writer, after the old ones.
        let writer = SampleWriter(pool: pool, path: path)
        let runner = Task { await writer.run() }
        let fresh = makeSample(button: 1, at: range.upperBound + 60_000)
        await writer.submit(.insert(fresh))
        await writer.close()
        await runner.value
        let last = try reader.lastSample()
        #expect(last?.id == fresh.id)
        #expect(try reader.totals().samples == expected.count + 1)
        #expect(last.map { $0.rowID > expected.map(\.rowID).max()! } == true)
    }

    /// The old smileyd's database: schema up to `migration`, rows committed, file closed.
    private static func makeOldDatabase(path: String, upTo migration: String, samples: [LegacySample]) throws {
        // A pool: WAL, as every smileyd opened its database.
        let old = try DatabasePool(path: path)
        try SmileyMigrations.migrator.migrate(old, upTo: migration)
        try old.write { db in
            for sample in samples { try insertAsFirstRelease(sample, db: db) }
        }
        let applied = try old.read { db in try SmileyMigrations.migrator.appliedIdentifiers(db) }
        let all = SmileyMigrations.migrator.migrations
        #expect(applied == Set(all.prefix(through: all.firstIndex(of: migration) ?? 0)))
        try old.close()
    }

    /// Today's smileyd opens it (migrations run at start); every row is there, once, with the same
    /// values, as today's reader sees it.
    private static func openAndCheck(path: String, expected: [LegacySample]) throws -> DatabasePool {
        let pool = try SmileyDatabase.openForWriting(path: path)
        let complete = try pool.read { db in try SmileyMigrations.migrator.hasCompletedMigrations(db) }
        #expect(complete, "after opening, every registered migration has been applied")
        let integrity = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        let foreignKeyProblems = try pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(foreignKeyProblems.isEmpty)

        let reader = try StoreReader(path: path)
        let stored = try reader.samples(afterRowID: 0, limit: expected.count + 10)
        #expect(stored.count == expected.count)
        let byID = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byID.count == expected.count, "no sample id appears twice")
        for sample in expected {
            guard let row = byID[sample.id] else {
                Issue.record("sample \(sample.id) from the old database is missing after the upgrade")
                continue
            }
            #expect(row.rowID == sample.rowID)
            #expect(row.terminal == sample.terminal && row.site == sample.site && row.survey == sample.survey)
            #expect(row.button == sample.button && row.scale == sample.scale && row.buttonName == sample.buttonName)
            #expect(row.recordedAtMs == sample.recordedAtMs && row.utcOffsetSeconds == sample.utcOffsetSeconds)
            #expect(row.bootID == sample.bootID && row.monotonicNs == sample.monotonicNs)
            #expect(row.clockSynchronized == sample.clockSynchronized)
            #expect(row.originalRecordedAtMs == sample.originalRecordedAtMs)
            #expect(row.misuse == sample.misuse)
            #expect(row.heldMs == sample.heldMs)
            #expect(row.synced == sample.synced)
        }
        let totals = try reader.totals()
        #expect(totals.samples == expected.count)
        #expect(totals.unsynced == expected.filter { !$0.synced }.count)

        // Summaries over the old rows still count them (held presses included).
        let range = expected.map(\.recordedAtMs).min()! ..< expected.map(\.recordedAtMs).max()! + 1
        let tally = try reader.tally(in: range, buttons: 4)
        #expect(tally.held == expected.filter { $0.heldMs != nil }.count)
        return pool
    }

    // MARK: - What the first release wrote

    /// 240 presses over three days: every button, both clock states, corrected times, both misuse
    /// reasons, held presses, synced and pending rows, a second boot.
    static func legacySamples() -> [LegacySample] {
        var generator = SplitMix64(seed: 0x5EED)
        let names = ["very-unhappy", "unhappy", "happy", "very-happy"]
        let start: Int64 = 1_795_341_600_000 // 2026-11-22 08:00 UTC
        return (0..<240).map { i in
            let at = start + Int64(i) * 900_000 + Int64(i % 7) * 13
            let synchronized = i % 5 != 0
            let misuse: MisuseReason? = i % 11 == 0 ? .interval : (i % 13 == 0 ? .simultaneous : nil)
            return LegacySample(
                rowID: Int64(i + 1), id: SampleID.make(unixMs: at, using: &generator), terminal: "store-12-entrance",
                site: "store-12", survey: i < 120 ? "checkout-experience" : "fitting-rooms",
                button: i % 4, scale: 4, buttonName: names[i % 4], recordedAtMs: at,
                utcOffsetSeconds: i < 200 ? 7200 : 10800, bootID: i < 100 ? "boot-one" : "boot-two",
                monotonicNs: UInt64(i) * 900_000_000_000 + 5, clockSynchronized: synchronized,
                originalRecordedAtMs: !synchronized && i % 10 == 0 ? at - 3_600_000 : nil,
                misuse: misuse, heldMs: i % 17 == 0 ? 3_000 + Int64(i) : nil, synced: i < 150)
        }
    }

    /// The first release's INSERT: only the `v1-create-sample` columns, values as it stored them.
    static func insertAsFirstRelease(_ sample: LegacySample, db: Database) throws {
        let uuid = withUnsafeBytes(of: sample.id.uuid) { Data($0) }
        try db.execute(sql: """
            INSERT INTO sample (id, uuid, terminal, site, survey, button, scale, button_name, recorded_at,
                                utc_offset, boot_id, monotonic_ns, clock_synchronized, recorded_at_original,
                                misuse, held_ms, sync_state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                sample.rowID, uuid, sample.terminal, sample.site, sample.survey, sample.button, sample.scale,
                sample.buttonName, sample.recordedAtMs, sample.utcOffsetSeconds, sample.bootID,
                Int64(bitPattern: sample.monotonicNs), sample.clockSynchronized ? 1 : 0, sample.originalRecordedAtMs,
                sample.misuse?.rawValue, sample.heldMs, sample.synced ? "synced" : "pending",
            ])
    }
}

/// One row as the first release stored it (the `v1-create-sample` columns).
struct LegacySample {
    var rowID: Int64
    var id: UUID
    var terminal: String
    var site: String
    var survey: String
    var button: Int
    var scale: Int
    var buttonName: String
    var recordedAtMs: Int64
    var utcOffsetSeconds: Int
    var bootID: String
    var monotonicNs: UInt64
    var clockSynchronized: Bool
    var originalRecordedAtMs: Int64?
    var misuse: MisuseReason?
    var heldMs: Int64?
    var synced: Bool
}


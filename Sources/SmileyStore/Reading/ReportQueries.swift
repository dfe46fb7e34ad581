import Foundation
import GRDB
import SmileyCore

/// A range of local wall-clock time (ms, see ``LocalDay/localStartMs``) turned into SQL: presses
/// whose `recorded_at + utc_offset·1000` falls in it. The UTC bounds around it let SQLite walk the
/// time index; the local bounds decide. UTC offsets run from −12:00 to +14:00.
struct LocalTimeFilter {
    static let aheadMs: Int64 = 14 * 3_600_000
    static let behindMs: Int64 = 12 * 3_600_000

    var localRange: Range<Int64>
    var survey: String?

    /// `WHERE` conditions, without the keyword.
    var sql: String {
        var conditions = [
            "recorded_at >= ?", "recorded_at < ?",
            "recorded_at + utc_offset * 1000 >= ?", "recorded_at + utc_offset * 1000 < ?",
        ]
        if survey != nil { conditions.insert("survey = ?", at: 0) }
        return conditions.joined(separator: " AND ")
    }

    var arguments: StatementArguments {
        var values: [(any DatabaseValueConvertible)?] = [
            localRange.lowerBound - Self.aheadMs, localRange.upperBound + Self.behindMs,
            localRange.lowerBound, localRange.upperBound,
        ]
        if let survey { values.insert(survey, at: 0) }
        return StatementArguments(values)
    }
}

/// Where an export stopped: the last sample written (samples go out by time, then row id).
public struct ExportPosition: Sendable, Hashable {
    public var recordedAtMs: Int64
    public var rowID: Int64

    public init(recordedAtMs: Int64, rowID: Int64) {
        self.recordedAtMs = recordedAtMs
        self.rowID = rowID
    }
}

extension StoreReader {
    /// Counts per local hour slot, button and misuse state of the presses whose local time falls in
    /// `localRange`, optionally of one survey only. One read transaction, answered from the
    /// `v3-report-indexes` covering indexes.
    public func hourlyCounts(localRange: Range<Int64>, survey: String?) throws(StoreError) -> [HourlyCount] {
        try read { db in try Self.hourlyCounts(db, LocalTimeFilter(localRange: localRange, survey: survey)) }
    }

    /// The hourly counts of a period and the tallies of earlier periods, read in one short read
    /// transaction so that they agree with each other.
    public func periodCounts(localRange: Range<Int64>, earlier: [Range<Int64>], survey: String?,
                             buttons: Int) throws(StoreError) -> (hourly: [HourlyCount], earlier: [Tally]) {
        try read { db in
            let hourly = try Self.hourlyCounts(db, LocalTimeFilter(localRange: localRange, survey: survey))
            let tallies = try earlier.map { range in
                try Self.tally(db, LocalTimeFilter(localRange: range, survey: survey), buttons: buttons)
            }
            return (hourly, tallies)
        }
    }

    /// Presses per button and misuse state whose local time falls in `localRange`.
    public func tally(localRange: Range<Int64>, survey: String?, buttons: Int) throws(StoreError) -> Tally {
        try read { db in try Self.tally(db, LocalTimeFilter(localRange: localRange, survey: survey), buttons: buttons) }
    }

    /// How many samples an export of `localRange` writes.
    public func sampleCount(localRange: Range<Int64>, survey: String?) throws(StoreError) -> Int {
        let filter = LocalTimeFilter(localRange: localRange, survey: survey)
        return try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sample WHERE \(filter.sql)", arguments: filter.arguments) ?? 0
        }
    }

    /// The next `limit` samples of `localRange` after `position` (from the start when nil), in
    /// time order (ties by row id). Each page is its own short read transaction, so an export of
    /// years neither holds memory nor holds back the daemon's checkpoints.
    public func exportPage(localRange: Range<Int64>, survey: String?, after position: ExportPosition?,
                           limit: Int) throws(StoreError) -> [StoredSample] {
        let filter = LocalTimeFilter(localRange: localRange, survey: survey)
        var sql = "SELECT * FROM sample WHERE \(filter.sql)"
        var arguments = filter.arguments
        if let position {
            sql += " AND (recorded_at > ? OR (recorded_at = ? AND id > ?))"
            arguments += [position.recordedAtMs, position.recordedAtMs, position.rowID]
        }
        sql += " ORDER BY recorded_at, id LIMIT ?"
        arguments += [max(1, limit)]
        return try read { db in
            var page: [StoredSample] = []
            page.reserveCapacity(max(1, limit))
            let cursor = try StoredSample.fetchCursor(db, sql: sql, arguments: arguments)
            while let sample = try cursor.next() { page.append(sample) }
            return page
        }
    }

    /// The highest row id (0 for an empty table): where following new presses starts.
    public func maxRowID() throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM sample") ?? 0 }
    }

    /// The last `count` samples by row id, oldest first.
    public func lastSamples(_ count: Int) throws(StoreError) -> [StoredSample] {
        try read { db in
            try StoredSample.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM sample ORDER BY id DESC LIMIT ?) ORDER BY id",
                                      arguments: [max(0, count)])
        }
    }

    /// SQLite's plan for the hourly query (for tests and the benchmark).
    public func hourlyQueryPlan(survey: String?) throws(StoreError) -> String {
        let filter = LocalTimeFilter(localRange: 0..<1, survey: survey)
        return try read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Self.hourlySQL(filter), arguments: filter.arguments)
                .map { $0["detail"] as String? ?? "" }.joined(separator: "\n")
        }
    }

    static func hourlySQL(_ filter: LocalTimeFilter) -> String {
        """
        SELECT (recorded_at + utc_offset * 1000) / 3600000 AS local_hour, utc_offset, button, misuse,
               count(*) AS n, count(held_ms) AS held
        FROM sample WHERE \(filter.sql)
        GROUP BY local_hour, utc_offset, button, misuse
        """
    }

    static func hourlyCounts(_ db: Database, _ filter: LocalTimeFilter) throws -> [HourlyCount] {
        var counts: [HourlyCount] = []
        let rows = try Row.fetchCursor(db, sql: hourlySQL(filter), arguments: filter.arguments)
        while let row = try rows.next() {
            let misuse = (row[3] as String?).flatMap(MisuseReason.init(rawValue:))
            counts.append(HourlyCount(slot: HourSlot(localHour: row[0], utcOffsetSeconds: row[1]),
                                      button: row[2], misuse: misuse, count: row[4], held: row[5]))
        }
        return counts
    }

    static func tally(_ db: Database, _ filter: LocalTimeFilter, buttons: Int) throws -> Tally {
        var tally = Tally(buttons: buttons)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT button, misuse, count(*) AS n, count(held_ms) AS held FROM sample
            WHERE \(filter.sql) GROUP BY button, misuse
            """, arguments: filter.arguments)
        while let row = try rows.next() {
            let misuse = (row[1] as String?).flatMap(MisuseReason.init(rawValue:))
            tally.add(button: row[0], misuse: misuse, count: row[2])
            tally.held += row[3] as Int
        }
        return tally
    }
}

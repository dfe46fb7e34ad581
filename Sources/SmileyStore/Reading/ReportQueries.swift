import Foundation
import GRDB
import SmileyCore

/// Presses whose local hour (`(recorded_at + utc_offset·1000) / 3 600 000`, the hour the terminal's
/// clock showed) falls in a range of whole local hours, optionally of one survey. Uses the
/// `local_hour` column of `v3-report-indexes`, or the same expression on a database smileyd has not
/// upgraded yet (same answer, slower).
struct LocalHourFilter {
    var localRange: Range<Int64>
    var survey: String?
    var column: String

    static let expression = "((recorded_at + utc_offset * 1000) / 3600000)"

    /// Without the column, UTC bounds let SQLite walk v1's time index (see ``LocalTimeFilter``).
    var usesExpression: Bool { column == Self.expression }

    var sql: String {
        var conditions = ["\(column) >= ?", "\(column) < ?"]
        if usesExpression { conditions = ["recorded_at >= ?", "recorded_at < ?"] + conditions }
        if survey != nil { conditions.insert("survey = ?", at: 0) }
        return conditions.joined(separator: " AND ")
    }

    var arguments: StatementArguments {
        var values: [(any DatabaseValueConvertible)?] = [
            CivilCalendar.floorDiv(localRange.lowerBound, CivilCalendar.msPerHour),
            CivilCalendar.floorDiv(localRange.upperBound + CivilCalendar.msPerHour - 1, CivilCalendar.msPerHour),
        ]
        if usesExpression {
            values = [localRange.lowerBound - LocalTimeFilter.aheadMs, localRange.upperBound + LocalTimeFilter.behindMs] + values
        }
        if let survey { values.insert(survey, at: 0) }
        return StatementArguments(values)
    }
}

/// The same range for an export, which goes in time order: the UTC bounds around the local range
/// let SQLite walk the time index (UTC offsets run from −12:00 to +14:00); the local bounds decide;
/// `after` moves the lower bound up to where the last page ended.
struct LocalTimeFilter {
    static let aheadMs: Int64 = 14 * 3_600_000
    static let behindMs: Int64 = 12 * 3_600_000

    var localRange: Range<Int64>
    var survey: String?
    var afterRecordedAtMs: Int64? = nil

    var sql: String {
        var conditions = [
            "recorded_at >= ?", "recorded_at < ?",
            "recorded_at + utc_offset * 1000 >= ?", "recorded_at + utc_offset * 1000 < ?",
        ]
        if survey != nil { conditions.insert("survey = ?", at: 0) }
        return conditions.joined(separator: " AND ")
    }

    var arguments: StatementArguments {
        let lower = max(localRange.lowerBound - Self.aheadMs, afterRecordedAtMs ?? Int64.min)
        var values: [(any DatabaseValueConvertible)?] = [
            lower, localRange.upperBound + Self.behindMs, localRange.lowerBound, localRange.upperBound,
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
        try read { db in try Self.hourlyCounts(db, hourFilter(db, localRange, survey)) }
    }

    /// The hourly counts of a period and the tallies of earlier periods, read in one short read
    /// transaction so that they agree with each other.
    public func periodCounts(localRange: Range<Int64>, earlier: [Range<Int64>], survey: String?,
                             buttons: Int) throws(StoreError) -> (hourly: [HourlyCount], earlier: [Tally]) {
        try read { db in
            let hourly = try Self.hourlyCounts(db, hourFilter(db, localRange, survey))
            let tallies = try earlier.map { range in
                try Self.tally(db, hourFilter(db, range, survey), buttons: buttons)
            }
            return (hourly, tallies)
        }
    }

    /// Presses per button and misuse state whose local time falls in `localRange`.
    public func tally(localRange: Range<Int64>, survey: String?, buttons: Int) throws(StoreError) -> Tally {
        try read { db in try Self.tally(db, hourFilter(db, localRange, survey), buttons: buttons) }
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
        let filter = LocalTimeFilter(localRange: localRange, survey: survey, afterRecordedAtMs: position?.recordedAtMs)
        var sql = "SELECT * FROM sample WHERE \(filter.sql)"
        var arguments = filter.arguments
        if let position {
            // The lower bound is already the last page's instant: only its ties need the row id.
            sql += " AND (recorded_at > ? OR id > ?)"
            arguments += [position.recordedAtMs, position.rowID]
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
        try read { db in
            let filter = try hourFilter(db, 0..<1, survey)
            let rows = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Self.hourlySQL(filter), arguments: filter.arguments)
            return rows.map { $0["detail"] as String? ?? "" }.joined(separator: "\n")
        }
    }

    /// Whether the database has `v3-report-indexes`' `local_hour` column (smileyd adds it at its
    /// first start after an upgrade; until then the expression serves).
    func hourFilter(_ db: Database, _ localRange: Range<Int64>, _ survey: String?) throws -> LocalHourFilter {
        let hasColumn = try Bool.fetchOne(db, sql: """
            SELECT count(*) > 0 FROM pragma_table_xinfo('sample') WHERE name = 'local_hour'
            """) ?? false
        return LocalHourFilter(localRange: localRange, survey: survey,
                               column: hasColumn ? "local_hour" : LocalHourFilter.expression)
    }

    static func hourlySQL(_ filter: LocalHourFilter) -> String {
        """
        SELECT \(filter.column), utc_offset, button, misuse, count(*) AS n, count(held_ms) AS held
        FROM sample WHERE \(filter.sql)
        GROUP BY \(filter.column), utc_offset, button, misuse
        """
    }

    static func hourlyCounts(_ db: Database, _ filter: LocalHourFilter) throws -> [HourlyCount] {
        var counts: [HourlyCount] = []
        let rows = try Row.fetchCursor(db, sql: hourlySQL(filter), arguments: filter.arguments)
        while let row = try rows.next() {
            let misuse = (row[3] as String?).flatMap(MisuseReason.init(rawValue:))
            counts.append(HourlyCount(slot: HourSlot(localHour: row[0], utcOffsetSeconds: row[1]),
                                      button: row[2], misuse: misuse, count: row[4], held: row[5]))
        }
        return counts
    }

    static func tally(_ db: Database, _ filter: LocalHourFilter, buttons: Int) throws -> Tally {
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

import GRDB
import SmileyCore

/// The rollups on SQLite: the tables, their migration with backfill, and the fleet queries (each
/// one aggregate over one table). `rollup` counts per local hour (time patterns); `rollup_day`
/// the same per local day (summaries and rankings read a day's row instead of its hours). Their
/// primary keys (site, local_day, …) serve a site's range, the indexes (local_day, site) every site's.
extension SQLiteCollectorStorage {
    /// "v4-rollups": the rollup tables, filled from the samples already stored.
    static func migrateToRollups(_ db: Database) throws {
        // misuse '' = accepted; hour = the terminal's local hour of the day (0–23).
        try db.execute(sql: """
            CREATE TABLE rollup (
                site TEXT NOT NULL,
                local_day TEXT NOT NULL,
                terminal TEXT NOT NULL,
                survey TEXT NOT NULL,
                scale INTEGER NOT NULL,
                button INTEGER NOT NULL,
                hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
                misuse TEXT NOT NULL,
                button_name TEXT NOT NULL,
                n INTEGER NOT NULL,
                PRIMARY KEY (site, local_day, terminal, survey, scale, button, hour, misuse)
            ) WITHOUT ROWID
            """)
        try db.execute(sql: "CREATE INDEX rollup_by_day ON rollup (local_day, site)")
        try db.execute(sql: """
            CREATE TABLE rollup_day (
                site TEXT NOT NULL,
                local_day TEXT NOT NULL,
                terminal TEXT NOT NULL,
                survey TEXT NOT NULL,
                scale INTEGER NOT NULL,
                button INTEGER NOT NULL,
                misuse TEXT NOT NULL,
                button_name TEXT NOT NULL,
                n INTEGER NOT NULL,
                PRIMARY KEY (site, local_day, terminal, survey, scale, button, misuse)
            ) WITHOUT ROWID
            """)
        try db.execute(sql: "CREATE INDEX rollup_day_by_day ON rollup_day (local_day, site)")
        try db.execute(sql: """
            INSERT INTO rollup (site, local_day, terminal, survey, scale, button, hour, misuse, button_name, n)
            \(recountSQL(hourly: true))
            """)
        try db.execute(sql: """
            INSERT INTO rollup_day (site, local_day, terminal, survey, scale, button, misuse, button_name, n)
            \(recountSQL(hourly: false))
            """)
    }

    /// The rollups recounted from the samples, as rows of `rollup` (`hourly`) or `rollup_day`.
    static func recountSQL(hourly: Bool) -> String {
        """
        SELECT site, local_day, terminal, survey, scale, button, \(hourly ? RollupKey.localHourSQL + " AS hour," : "")
               coalesce(misuse, '') AS misuse, min(button_name) AS button_name, count(*) AS n
        FROM sample GROUP BY \(hourly ? "1, 2, 3, 4, 5, 6, 7, 8" : "1, 2, 3, 4, 5, 6, 7")
        """
    }

    public func rangeSummary(_ filter: RollupFilter, includeMisuse: Bool, minSamples: Int) async throws -> RangeSummary {
        RangeSummary(filter: filter, includeMisuse: includeMisuse, minSamples: minSamples,
                     rows: try await rollupRows(filter, grouping: .survey))
    }

    public func buckets(_ filter: RollupFilter, weekdays: Bool, includeMisuse: Bool, minSamples: Int) async throws -> [RollupBucket] {
        RollupBucket.pattern(rows: try await rollupRows(filter, grouping: weekdays ? .weekdayHour : .hour),
                             weekdays: weekdays, includeMisuse: includeMisuse, minSamples: minSamples)
    }

    public func siteRanking(_ filter: RollupFilter, includeMisuse: Bool, minSamples: Int) async throws -> [SiteRank] {
        SiteRank.ranking(rows: try await rollupRows(filter, grouping: .site), includeMisuse: includeMisuse, minSamples: minSamples)
    }

    public func rollupMismatches() async throws -> [RollupMismatch] {
        try await pool.read { db in
            try [true, false].flatMap { hourly in
                let hour = hourly ? "coalesce(r.hour, c.hour)" : "NULL"
                return try Row.fetchAll(db, sql: """
                    SELECT coalesce(r.site, c.site) AS site, coalesce(r.local_day, c.local_day) AS local_day,
                           coalesce(r.terminal, c.terminal) AS terminal, coalesce(r.survey, c.survey) AS survey,
                           coalesce(r.scale, c.scale) AS scale, coalesce(r.button, c.button) AS button,
                           \(hour) AS hour, coalesce(r.misuse, c.misuse) AS misuse,
                           r.n AS stored, c.n AS recounted, r.button_name AS stored_name, c.button_name AS recounted_name
                    FROM \(hourly ? "rollup" : "rollup_day") r FULL JOIN (\(Self.recountSQL(hourly: hourly))) c
                      ON r.site = c.site AND r.local_day = c.local_day AND r.terminal = c.terminal AND r.survey = c.survey
                     AND r.scale = c.scale AND r.button = c.button AND r.misuse = c.misuse \(hourly ? "AND r.hour = c.hour" : "")
                    WHERE r.n IS NOT c.n OR r.button_name IS NOT c.button_name
                    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
                    """).map { row in
                    let misuse: String = row["misuse"]
                    return RollupMismatch(site: row["site"], localDay: row["local_day"], terminal: row["terminal"], survey: row["survey"],
                                          scale: row["scale"], button: row["button"], hour: row["hour"],
                                          misuse: misuse.isEmpty ? nil : misuse, stored: row["stored"] ?? 0,
                                          recounted: row["recounted"] ?? 0, storedName: row["stored_name"],
                                          recountedName: row["recounted_name"])
                }
            }
        }
    }

    /// One aggregate over the rollups in `filter`, grouped by `grouping`, survey, scale, button and reason.
    func rollupRows(_ filter: RollupFilter, grouping: RollupGrouping) async throws -> [RollupRow] {
        if filter.matchesNothing { return [] }
        let groups: [String] = switch grouping {
        case .survey: []
        case .hour: ["hour"]
        case .weekdayHour: ["(CAST(strftime('%w', local_day) AS INTEGER) + 6) % 7 + 1 AS weekday", "hour"]
        case .site: ["site"]
        }
        var conditions = ["local_day BETWEEN ? AND ?"]
        var arguments: StatementArguments = [filter.from.description, filter.to.description]
        if let sites = filter.sites {
            conditions.append("site IN (\(Array(repeating: "?", count: sites.count).joined(separator: ", ")))")
            arguments += StatementArguments(sites)
        }
        if let survey = filter.survey {
            conditions.append("survey = ?")
            arguments += [survey]
        }
        let grouped = groups.indices.map { String($0 + 1) } + ["survey", "scale", "button", "misuse"]
        let sql = """
            SELECT \((groups + ["survey", "scale", "button", "min(button_name) AS name", "misuse", "sum(n) AS n"]).joined(separator: ", "))
            FROM \(grouping.hourly ? "rollup" : "rollup_day") WHERE \(conditions.joined(separator: " AND "))
            GROUP BY \(grouped.joined(separator: ", "))
            """
        let finalArguments = arguments
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: finalArguments).map { row in
                let misuse: String = row["misuse"]
                var result = RollupRow(survey: row["survey"], scale: row["scale"], button: row["button"], name: row["name"],
                                       misuse: misuse.isEmpty ? nil : misuse, count: row["n"])
                switch grouping {
                case .survey: break
                case .hour: result.hour = row["hour"]
                case .weekdayHour: (result.weekday, result.hour) = (row["weekday"], row["hour"])
                case .site: result.site = row["site"]
                }
                return result
            }
        }
    }
}

extension SQLiteCollectorStorage {
    /// Makes a collector file at an earlier schema: the migrations up to `migration` (upgrade tests).
    static func makeFile(path: String, migratedUpTo migration: String) throws {
        let queue = try DatabaseQueue(path: path)
        try migrator.migrate(queue, upTo: migration)
        try queue.close()
    }
}

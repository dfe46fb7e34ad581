import PostgresNIO
import SmileyCore

/// The fleet queries on PostgreSQL, each one aggregate over one rollup table (`rollup_day` for
/// summaries and rankings, `rollup` for hours): the primary keys (site, local_day, …) serve a
/// site's range, the `…_by_day` indexes (local_day, site) every site's.
extension PostgresCollectorStorage {
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
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            var result: [RollupMismatch] = []
            for hourly in [true, false] {
                for try await row in try await client.query(PostgresQuery(unsafeSQL: """
                    SELECT coalesce(r.site, c.site), coalesce(r.local_day, c.local_day)::text, coalesce(r.terminal, c.terminal),
                           coalesce(r.survey, c.survey), coalesce(r.scale, c.scale), coalesce(r.button, c.button),
                           \(hourly ? "coalesce(r.hour, c.hour)::int4" : "NULL::int4"), coalesce(r.misuse, c.misuse),
                           r.n, c.n, r.button_name, c.button_name
                    FROM \(hourly ? "rollup" : "rollup_day") r FULL JOIN (\(PostgresSchema.recountSQL(hourly: hourly))) c
                      ON r.site = c.site AND r.local_day = c.local_day AND r.terminal = c.terminal AND r.survey = c.survey
                     AND r.scale = c.scale AND r.button = c.button AND r.misuse = c.misuse \(hourly ? "AND r.hour = c.hour" : "")
                    WHERE r.n IS DISTINCT FROM c.n OR r.button_name IS DISTINCT FROM c.button_name
                    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
                    """), logger: logger) {
                    let (site, day, terminal, survey, scale, button, hour, misuse, stored, recounted, storedName, recountedName)
                        = try row.decode((String, String, String, String, Int32, Int32, Int32?, String, Int64?, Int64?, String?, String?).self)
                    result.append(RollupMismatch(site: site, localDay: day, terminal: terminal, survey: survey, scale: Int(scale),
                                                 button: Int(button), hour: hour.map { Int($0) }, misuse: misuse.isEmpty ? nil : misuse,
                                                 stored: Int(stored ?? 0), recounted: Int(recounted ?? 0),
                                                 storedName: storedName, recountedName: recountedName))
                }
            }
            return result
        }
    }

    /// One aggregate over the rollups in `filter`, grouped by `grouping`, survey, scale, button and reason.
    func rollupRows(_ filter: RollupFilter, grouping: RollupGrouping) async throws -> [RollupRow] {
        if filter.matchesNothing { return [] }
        // Unused grouping columns are constants, so every row decodes alike.
        let (site, weekday, hour): (String, String, String) = switch grouping {
        case .survey: ("''::text", "0", "0")
        case .hour: ("''::text", "0", "hour::int4")
        case .weekdayHour: ("''::text", "extract(isodow FROM local_day)::int4", "hour::int4")
        case .site: ("site", "0", "0")
        }
        let grouped = [site, weekday, hour].filter { !$0.hasPrefix("''") && $0 != "0" } + ["survey", "scale", "button", "misuse"]
        var bindings = PostgresBindings()
        bindings.append(filter.from.description)
        bindings.append(filter.to.description)
        var conditions = ["local_day BETWEEN $1::date AND $2::date"]
        if let sites = filter.sites {
            bindings.append(sites)
            conditions.append("site = ANY($\(bindings.count)::text[])")
        }
        if let survey = filter.survey {
            bindings.append(survey)
            conditions.append("survey = $\(bindings.count)")
        }
        let query = PostgresQuery(unsafeSQL: """
            SELECT \(site), \(weekday), \(hour), survey, scale, button, min(button_name), nullif(misuse, ''), sum(n)::int8
            FROM \(grouping.hourly ? "rollup" : "rollup_day") WHERE \(conditions.joined(separator: " AND "))
            GROUP BY \(grouped.joined(separator: ", "))
            """, binds: bindings)
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            var rows: [RollupRow] = []
            for try await row in try await client.query(query, logger: logger) {
                let (site, weekday, hour, survey, scale, button, name, misuse, count)
                    = try row.decode((String, Int32, Int32, String, Int32, Int32, String, String?, Int64).self)
                rows.append(RollupRow(site: site, weekday: Int(weekday), hour: Int(hour), survey: survey, scale: Int(scale),
                                      button: Int(button), name: name, misuse: misuse, count: Int(count)))
            }
            return rows
        }
    }
}

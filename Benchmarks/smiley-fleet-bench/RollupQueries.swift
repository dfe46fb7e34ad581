import Foundation
import SmileyCollector
import SmileyCore
import SmileyTestSupport

/// The fleet queries over a year of rollups, seeded in SQL (100 M samples are too many to ingest
/// over HTTP in a benchmark run), with the rows such samples make: `terminals` terminals at `sites`
/// sites (`terminals / sites` each), every day of 2025, open 08:00–20:00 local; per terminal, local
/// hour and each of 4 buttons, 1 to 10 accepted presses (5.5 on average), and per terminal and hour
/// one `interval` misuse on one button. `rollup_day` is summed from `rollup`, as the inserts keep it.
struct RollupQueries {
    let postgres: TestPostgres
    let terminals: Int
    let sites: Int
    let repeats: Int

    static let year = (from: LocalDay(year: 2025, month: 1, day: 1), to: LocalDay(year: 2025, month: 12, day: 31))
    static let rankedDay = LocalDay(year: 2025, month: 6, day: 18)

    struct Figures {
        var samples: Int64
        var hourRows: Int64
        var dayRows: Int64
        var seedSeconds: Double
        /// One site's year (`rangeSummary`): first call after a server restart, then the median of the warm ones.
        var siteYearFirstMs: Double
        var siteYearMedianMs: Double
        var siteYearSamples: Int
        /// Every site's day (`siteRanking`).
        var rankingFirstMs: Double
        var rankingMedianMs: Double
        var rankedSites: Int
    }

    func run(log: (String) -> Void) async throws -> Figures {
        let database = try await postgres.createDatabase()
        do {
            let storage = try BenchFleet.storage(postgres, database)
            _ = try await storage.migrate()
        }
        let perSite = max(terminals / sites, 1)
        let started = ContinuousClock.now
        // Without the hourly table's indexes while filling (built again after, from sorted rows), as a bulk load would.
        _ = try await postgres.psql(database, """
            SET maintenance_work_mem = '256MB';
            SET work_mem = '256MB';
            DROP INDEX rollup_by_day;
            ALTER TABLE rollup DROP CONSTRAINT rollup_pkey;
            INSERT INTO rollup (site, local_day, terminal, survey, scale, button, hour, misuse, button_name, n)
            SELECT 'site-' || lpad((t / \(perSite) + 1)::text, 3, '0'), '2025-01-01'::date + d, 'terminal-' || lpad((t + 1)::text, 4, '0'),
                   'checkout', 4, b, h, '', (ARRAY['very-unhappy','unhappy','happy','very-happy'])[b + 1],
                   1 + (t * 7 + d * 13 + h * 17 + b * 31) % 10
            FROM generate_series(0, \(terminals - 1)) t,
                 generate_series(0, 364) d,
                 generate_series(8, 19) h, generate_series(0, 3) b
            UNION ALL
            SELECT 'site-' || lpad((t / \(perSite) + 1)::text, 3, '0'), '2025-01-01'::date + d, 'terminal-' || lpad((t + 1)::text, 4, '0'),
                   'checkout', 4, (t + h) % 4, h, 'interval', (ARRAY['very-unhappy','unhappy','happy','very-happy'])[(t + h) % 4 + 1], 1
            FROM generate_series(0, \(terminals - 1)) t,
                 generate_series(0, 364) d,
                 generate_series(8, 19) h;
            ALTER TABLE rollup ADD PRIMARY KEY (site, local_day, terminal, survey, scale, button, hour, misuse);
            CREATE INDEX rollup_by_day ON rollup (local_day, site);
            INSERT INTO rollup_day (site, local_day, terminal, survey, scale, button, misuse, button_name, n)
            SELECT site, local_day, terminal, survey, scale, button, misuse, min(button_name), sum(n)
            FROM rollup GROUP BY site, local_day, terminal, survey, scale, button, misuse;
            ANALYZE rollup; ANALYZE rollup_day;
            """)
        let seedSeconds = (ContinuousClock.now - started).milliseconds / 1000
        let counts = try await postgres.psql(database, "SELECT (SELECT sum(n) FROM rollup_day), (SELECT count(*) FROM rollup), (SELECT count(*) FROM rollup_day)")
            .split(separator: "|").compactMap { Int64($0) }
        guard counts.count == 3 else { throw BenchError("cannot count the seeded rollups") }
        log(String(format: "seeded rollups for %.1f M samples: %d hour rows, %d day rows in %.0f s",
                   Double(counts[0]) / 1e6, counts[1], counts[2], seedSeconds))

        // Cold-ish: the server restarted (its shared buffers empty; the OS page cache stays), a new pool.
        try await postgres.stop()
        try await postgres.start()
        let storage = try BenchFleet.storage(postgres, database)
        let pool = Task { await storage.run() }
        defer { pool.cancel() }
        let year = try RollupFilter(sites: ["site-001"], from: Self.year.from, to: Self.year.to)
        let day = try RollupFilter(sites: nil, from: Self.rankedDay, to: Self.rankedDay)

        var siteYear: [Double] = []
        var ranking: [Double] = []
        var siteYearSamples = 0
        var rankedSites = 0
        for _ in 0...repeats {
            var start = ContinuousClock.now
            let summary = try await storage.rangeSummary(year, includeMisuse: false, minSamples: 0)
            siteYear.append((.now - start).milliseconds)
            siteYearSamples = summary.surveys.map { $0.accepted + $0.misuse.values.reduce(0, +) }.reduce(0, +)
            start = .now
            rankedSites = try await storage.siteRanking(day, includeMisuse: false, minSamples: 0).count
            ranking.append((.now - start).milliseconds)
        }
        return Figures(samples: counts[0], hourRows: counts[1], dayRows: counts[2], seedSeconds: seedSeconds,
                       siteYearFirstMs: siteYear[0], siteYearMedianMs: Percentiles(Array(siteYear.dropFirst())).median,
                       siteYearSamples: siteYearSamples,
                       rankingFirstMs: ranking[0], rankingMedianMs: Percentiles(Array(ranking.dropFirst())).median,
                       rankedSites: rankedSites)
    }
}

import GRDB
import SmileySQLite
import SmileyWire

/// What one batch's newly stored samples add to the SQLite rollups (hourly and daily): counted in
/// memory while the samples are inserted, then upserted in the same transaction (a duplicate adds
/// nothing).
struct RollupIncrements {
    private var counts: [RollupKey: (name: String, count: Int)] = [:]

    mutating func add(_ sample: WireSample, terminal: String, site: String) {
        var key = RollupKey(site: site, localDay: sample.localDay, terminal: terminal, survey: sample.survey,
                            scale: sample.scale, button: sample.button,
                            hour: RollupKey.localHour(recordedAtMs: sample.recordedAtMs, utcOffsetSeconds: sample.utcOffsetSeconds),
                            misuse: sample.misuse?.rawValue ?? "")
        count(key, sample.buttonName)
        key.hour = nil
        count(key, sample.buttonName)
    }

    private mutating func count(_ key: RollupKey, _ name: String) {
        if let known = counts[key] {
            counts[key] = (known.name.utf8.lexicographicallyPrecedes(name.utf8) ? known.name : name, known.count + 1)
        } else {
            counts[key] = (name, 1)
        }
    }

    /// Adds the counts to the rollup tables; the caller holds the write transaction.
    func write(in db: Database) throws {
        guard !counts.isEmpty else { return }
        let hourly = try db.cachedStatement(sql: """
            INSERT INTO rollup (site, local_day, terminal, survey, scale, button, misuse, button_name, n, hour)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (site, local_day, terminal, survey, scale, button, hour, misuse)
            DO UPDATE SET n = n + excluded.n, button_name = min(button_name, excluded.button_name)
            """)
        let daily = try db.cachedStatement(sql: """
            INSERT INTO rollup_day (site, local_day, terminal, survey, scale, button, misuse, button_name, n)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (site, local_day, terminal, survey, scale, button, misuse)
            DO UPDATE SET n = n + excluded.n, button_name = min(button_name, excluded.button_name)
            """)
        for (key, value) in counts {
            var row = RowBinder(key.hour == nil ? daily : hourly)
            row.bind(1, key.site)
            row.bind(2, key.localDay)
            row.bind(3, key.terminal)
            row.bind(4, key.survey)
            row.bind(5, key.scale)
            row.bind(6, key.button)
            row.bind(7, key.misuse)
            row.bind(8, value.name)
            row.bind(9, value.count)
            if let hour = key.hour { row.bind(10, hour) }
            try row.step(in: db)
        }
    }
}

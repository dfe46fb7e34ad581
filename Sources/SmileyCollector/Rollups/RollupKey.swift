/// What one rollup row counts: a terminal's samples at a site, in one survey's button, local
/// day and hour (nil: the day rollup's row) and misuse reason ("" for accepted samples, so that
/// the tables' keys have no NULL).
struct RollupKey: Sendable, Hashable {
    var site: String
    var localDay: String
    var terminal: String
    var survey: String
    var scale: Int
    var button: Int
    var hour: Int?
    var misuse: String

    /// The hour of the day (0–23) at the terminal when the sample was recorded: its own UTC
    /// offset, so a terminal that was offline for a week lands its presses in the right hours.
    /// The same formula as the SQL (`((ms % day) + day) % day / hour`), floor for instants before 1970.
    /// ``localHour(recordedAtMs:utcOffsetSeconds:)`` in SQL over a sample's columns (SQLite and
    /// PostgreSQL alike: `%` keeps the dividend's sign in both).
    static let localHourSQL = "(((recorded_at + utc_offset * 1000) % 86400000) + 86400000) % 86400000 / 3600000"

    static func localHour(recordedAtMs: Int64, utcOffsetSeconds: Int) -> Int {
        let local = recordedAtMs + Int64(utcOffsetSeconds) * 1000
        let msPerDay: Int64 = 86_400_000
        return Int(((local % msPerDay) + msPerDay) % msPerDay / 3_600_000)
    }
}

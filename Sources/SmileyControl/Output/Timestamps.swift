import SmileyCore

/// Fast, allocation-light timestamp text for exports of millions of rows (no DateFormatter).
enum Timestamps {
    /// `2026-11-22T09:15:02.123Z`.
    static func utc(_ ms: Int64) -> String {
        format(ms, offsetSeconds: 0, zulu: true)
    }

    /// The local wall time with its offset: `2026-11-22T11:15:02.123+02:00`.
    static func local(_ ms: Int64, offsetSeconds: Int) -> String {
        format(ms + Int64(offsetSeconds) * 1000, offsetSeconds: offsetSeconds, zulu: false)
    }

    /// `2026-11-22 11:15:02` on the local wall clock of the sample.
    static func localPlain(_ ms: Int64, offsetSeconds: Int) -> String {
        let local = ms + Int64(offsetSeconds) * 1000
        let (date, hour, minute, second, _) = split(local)
        return "\(date) \(two(hour)):\(two(minute)):\(two(second))"
    }

    private static func format(_ wallMs: Int64, offsetSeconds: Int, zulu: Bool) -> String {
        let (date, hour, minute, second, millis) = split(wallMs)
        let millisText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        let zone = zulu ? "Z" : HourSlot.offsetText(offsetSeconds)
        return "\(date)T\(two(hour)):\(two(minute)):\(two(second)).\(millisText)\(zone)"
    }

    private static func split(_ wallMs: Int64) -> (LocalDay, Int, Int, Int, Int) {
        let dayNumber = CivilCalendar.floorDiv(wallMs, CivilCalendar.msPerDay)
        let inDay = Int(wallMs - dayNumber * CivilCalendar.msPerDay)
        return (LocalDay(dayNumber: Int(dayNumber)), inDay / 3_600_000, inDay / 60_000 % 60, inDay / 1000 % 60, inDay % 1000)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

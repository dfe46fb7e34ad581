import SmileyCore

/// Fast timestamp text for exports of millions of rows (no DateFormatter, no String(format:)).
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
        let p = parts(ms + Int64(offsetSeconds) * 1000)
        return "\(date(p)) \(pad(p.hour, 2)):\(pad(p.minute, 2)):\(pad(p.second, 2))"
    }

    private static func format(_ wallMs: Int64, offsetSeconds: Int, zulu: Bool) -> String {
        let p = parts(wallMs)
        var zone = "Z"
        if !zulu {
            let minutes = abs(offsetSeconds) / 60
            zone = (offsetSeconds < 0 ? "-" : "+") + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
        }
        return "\(date(p))T\(pad(p.hour, 2)):\(pad(p.minute, 2)):\(pad(p.second, 2)).\(pad(p.millis, 3))\(zone)"
    }

    private struct Parts {
        var year, month, day, hour, minute, second, millis: Int
    }

    private static func parts(_ wallMs: Int64) -> Parts {
        let dayNumber = CivilCalendar.floorDiv(wallMs, CivilCalendar.msPerDay)
        let inDay = Int(wallMs - dayNumber * CivilCalendar.msPerDay)
        let civil = CivilCalendar.date(ofDayNumber: Int(dayNumber))
        return Parts(year: civil.year, month: civil.month, day: civil.day, hour: inDay / 3_600_000,
                     minute: inDay / 60_000 % 60, second: inDay / 1000 % 60, millis: inDay % 1000)
    }

    private static func date(_ p: Parts) -> String { "\(pad(p.year, 4))-\(pad(p.month, 2))-\(pad(p.day, 2))" }

    /// `value` with leading zeros to `width` digits (non-negative values).
    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

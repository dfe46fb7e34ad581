/// A calendar day in a time zone, and the UTC instants that bound it. Days are 23, 24 or 25 hours
/// long: they run from local midnight to the next local midnight, whatever daylight saving does.
public struct LocalDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; nil when malformed or not a real date.
    public init?(iso text: String) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = RFC3339.digits(b, 0, 4), let m = RFC3339.digits(b, 5, 2), let d = RFC3339.digits(b, 8, 2),
              (1...12).contains(m), (1...CivilCalendar.daysInMonth(year: y, month: m)).contains(d) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The local day containing `instantMs` in `zone`.
    public init(containing instantMs: Int64, in zone: Zone) {
        let local = instantMs + Int64(zone.secondsFromUTC(atMs: instantMs)) * 1000
        self.init(dayNumber: Int(CivilCalendar.floorDiv(local, CivilCalendar.msPerDay)))
    }

    public var description: String {
        RFC3339.padded(year, 4) + "-" + RFC3339.padded(month, 2) + "-" + RFC3339.padded(day, 2)
    }

    public static func < (a: LocalDay, b: LocalDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// The day `days` later (negative: earlier).
    public func adding(days: Int) -> LocalDay {
        LocalDay(dayNumber: dayNumber + days)
    }

    /// Start (inclusive) and end (exclusive) of the day in `zone`, as ms since 1970 UTC.
    public func interval(in zone: Zone) -> Range<Int64> {
        zone.firstInstant(atOrAfterLocalMs: localStartMs)..<zone.firstInstant(atOrAfterLocalMs: adding(days: 1).localStartMs)
    }
}

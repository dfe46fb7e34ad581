/// An ISO 8601 week: Monday to Sunday, week 1 is the week with the year's first Thursday.
public struct ISOWeek: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var week: Int

    public init(year: Int, week: Int) {
        self.year = year
        self.week = week
    }

    /// Parses `YYYY-Www` (e.g. `2026-W47`); nil when malformed or the year has no such week.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 3, parts[1].first == "W",
              parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
              parts[1].dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }),
              let year = Int(parts[0]), let week = Int(parts[1].dropFirst()) else { return nil }
        guard week >= 1, week <= ISOWeek.weeks(inYear: year) else { return nil }
        self.init(year: year, week: week)
    }

    /// 52 or 53.
    public static func weeks(inYear year: Int) -> Int {
        LocalDay(year: year, month: 12, day: 28).isoWeek.week
    }

    /// The Monday starting the week.
    public var monday: LocalDay {
        let january4 = CivilCalendar.dayNumber(year: year, month: 1, day: 4)
        let mondayOfWeek1 = january4 - (CivilCalendar.isoWeekday(ofDayNumber: january4) - 1)
        return LocalDay(dayNumber: mondayOfWeek1 + (week - 1) * 7)
    }

    public var sunday: LocalDay { monday.adding(days: 6) }

    public func adding(weeks: Int) -> ISOWeek {
        LocalDay(dayNumber: monday.dayNumber + weeks * 7).isoWeek
    }

    public var description: String { RFC3339.padded(year, 4) + "-W" + RFC3339.padded(week, 2) }

    public static func < (a: ISOWeek, b: ISOWeek) -> Bool { (a.year, a.week) < (b.year, b.week) }
}


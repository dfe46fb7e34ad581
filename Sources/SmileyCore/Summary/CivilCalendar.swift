/// Calendar arithmetic on civil (proleptic Gregorian) dates as plain integers: no time zone, no
/// Foundation calendar, the same answer on every machine. Day number 0 is 1970-01-01.
///
/// The algorithms are Howard Hinnant's `days_from_civil` / `civil_from_days`.
public enum CivilCalendar {
    public static let msPerHour: Int64 = 3_600_000
    public static let msPerDay: Int64 = 86_400_000

    /// Days since 1970-01-01 of a civil date.
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day number.
    public static func date(ofDayNumber number: Int) -> (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    public static func isoWeekday(ofDayNumber number: Int) -> Int {
        floorMod(number + 3, 7) + 1
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Division rounding towards minus infinity (`/` truncates towards zero).
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    public static func floorMod(_ a: Int, _ b: Int) -> Int {
        let r = a % b
        return r < 0 ? r + b : r
    }

    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]

    /// `Monday` … `Sunday` for an ISO weekday 1…7.
    public static func weekdayName(_ isoWeekday: Int) -> String {
        weekdayNames[max(1, min(7, isoWeekday)) - 1]
    }

    public static func monthName(_ month: Int) -> String {
        monthNames[max(1, min(12, month)) - 1]
    }
}

extension LocalDay {
    /// Days since 1970-01-01.
    public var dayNumber: Int { CivilCalendar.dayNumber(year: year, month: month, day: day) }

    public init(dayNumber: Int) {
        let date = CivilCalendar.date(ofDayNumber: dayNumber)
        self.init(year: date.year, month: date.month, day: date.day)
    }

    /// 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int { CivilCalendar.isoWeekday(ofDayNumber: dayNumber) }

    public var weekdayName: String { CivilCalendar.weekdayName(isoWeekday) }

    /// Local midnight starting this day, as milliseconds on the local wall clock counted from
    /// 1970-01-01 00:00 local (the scale `recorded_at + utc_offset` lives on).
    public var localStartMs: Int64 { Int64(dayNumber) * CivilCalendar.msPerDay }

    /// The ISO week this day belongs to (its year may differ from the day's year around New Year).
    public var isoWeek: ISOWeek {
        let number = dayNumber
        let thursday = number - isoWeekday + 4
        let year = CivilCalendar.date(ofDayNumber: thursday).year
        let firstOfYear = CivilCalendar.dayNumber(year: year, month: 1, day: 1)
        return ISOWeek(year: year, week: (thursday - firstOfYear) / 7 + 1)
    }
}

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

    public var description: String { "\(String(format: "%04d", year))-W\(String(format: "%02d", week))" }

    public static func < (a: ISOWeek, b: ISOWeek) -> Bool { (a.year, a.week) < (b.year, b.week) }
}

/// A calendar month.
public struct YearMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`; nil when malformed.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else { return nil }
        self.init(year: year, month: month)
    }

    public init(containing day: LocalDay) {
        self.init(year: day.year, month: day.month)
    }

    public var firstDay: LocalDay { LocalDay(year: year, month: month, day: 1) }
    public var lastDay: LocalDay {
        LocalDay(year: year, month: month, day: CivilCalendar.daysInMonth(year: year, month: month))
    }

    public func adding(months: Int) -> YearMonth {
        let index = year * 12 + (month - 1) + months
        let month0 = CivilCalendar.floorMod(index, 12)
        return YearMonth(year: (index - month0) / 12, month: month0 + 1)
    }

    public var description: String { String(format: "%04d-%02d", year, month) }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

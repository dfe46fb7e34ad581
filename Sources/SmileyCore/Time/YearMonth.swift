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

    public var description: String { RFC3339.padded(year, 4) + "-" + RFC3339.padded(month, 2) }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

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


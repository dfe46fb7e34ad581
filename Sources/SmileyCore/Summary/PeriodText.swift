/// Reads the period words staff type. Each returns nil for text it does not understand; the
/// caller says what is allowed.
public enum PeriodText {
    /// `today`, `yesterday` or `YYYY-MM-DD`.
    public static func day(_ text: String, today: LocalDay) -> LocalDay? {
        switch text {
        case "today": today
        case "yesterday": today.adding(days: -1)
        default: LocalDay(iso: text)
        }
    }

    /// `this`, `last` or `YYYY-Www`.
    public static func week(_ text: String, today: LocalDay) -> ISOWeek? {
        switch text {
        case "this": today.isoWeek
        case "last": today.isoWeek.adding(weeks: -1)
        default: ISOWeek(iso: text)
        }
    }

    /// `this`, `last` or `YYYY-MM`.
    public static func month(_ text: String, today: LocalDay) -> YearMonth? {
        switch text {
        case "this": YearMonth(containing: today)
        case "last": YearMonth(containing: today).adding(months: -1)
        default: YearMonth(iso: text)
        }
    }
}

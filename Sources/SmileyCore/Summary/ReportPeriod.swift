/// The stretch of local days a summary covers: one day, an ISO week, a month, or an inclusive range
/// of days. Days are local days: a press belongs to the day (and hour) the terminal's clock showed
/// when it was pressed, that is `recorded_at + utc_offset` — so daylight saving (23- and 25-hour
/// days) and a change of the terminal's zone never move a press into another day.
public enum ReportPeriod: Sendable, Hashable, CustomStringConvertible {
    case day(LocalDay)
    case week(ISOWeek)
    case month(YearMonth)
    /// `from` ... `to`, both included.
    case range(from: LocalDay, to: LocalDay)

    /// The longest `range` a summary accepts (one year, as HappyOrNot's API allows per query).
    public static let maxRangeDays = 366

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case day, week, month, range
    }

    /// What a summary's rows are: hours of the day for a day, days for longer periods.
    public enum BucketUnit: String, Sendable, Hashable {
        case hour, day
    }

    public var kind: Kind {
        switch self {
        case .day: .day
        case .week: .week
        case .month: .month
        case .range: .range
        }
    }

    public var firstDay: LocalDay {
        switch self {
        case .day(let day): day
        case .week(let week): week.monday
        case .month(let month): month.firstDay
        case .range(let from, _): from
        }
    }

    public var lastDay: LocalDay {
        switch self {
        case .day(let day): day
        case .week(let week): week.sunday
        case .month(let month): month.lastDay
        case .range(_, let to): to
        }
    }

    public var dayCount: Int { lastDay.dayNumber - firstDay.dayNumber + 1 }

    public var days: [LocalDay] {
        (firstDay.dayNumber...max(firstDay.dayNumber, lastDay.dayNumber)).map(LocalDay.init(dayNumber:))
    }

    public var bucketUnit: BucketUnit { kind == .day ? .hour : .day }

    /// Local wall-clock milliseconds (see ``LocalDay/localStartMs``) from the first day's midnight
    /// to the midnight after the last day.
    public var localRangeMs: Range<Int64> {
        firstDay.localStartMs..<(Int64(lastDay.dayNumber + 1) * CivilCalendar.msPerDay)
    }

    /// Machine label: `2026-11-22`, `2026-W47`, `2026-11`, `2026-11-01..2026-11-15`.
    public var label: String {
        switch self {
        case .day(let day): day.description
        case .week(let week): week.description
        case .month(let month): month.description
        case .range(let from, let to): "\(from)..\(to)"
        }
    }

    public var description: String { label }

    /// For people: `Sunday 2026-11-22`, `week 2026-W47 (Monday 2026-11-16 to Sunday 2026-11-22)`,
    /// `November 2026`, `2026-11-01 to 2026-11-15 (15 days)`.
    public var title: String {
        switch self {
        case .day(let day):
            return "\(day.weekdayName) \(day)"
        case .week(let week):
            return "week \(week) (Monday \(week.monday) to Sunday \(week.sunday))"
        case .month(let month):
            return "\(CivilCalendar.monthName(month.month)) \(month.year)"
        case .range(let from, let to):
            return "\(from) to \(to) (\(dayCount) day\(dayCount == 1 ? "" : "s"))"
        }
    }

    /// The period `steps` back that a comparison uses: the same weekday `steps` weeks earlier for a
    /// day, the week or month `steps` earlier. A free range has no natural comparison: nil.
    public func earlier(_ steps: Int) -> ReportPeriod? {
        switch self {
        case .day(let day): .day(day.adding(days: -7 * steps))
        case .week(let week): .week(week.adding(weeks: -steps))
        case .month(let month): .month(month.adding(months: -steps))
        case .range: nil
        }
    }

    /// How a comparison against ``earlier(_:)`` is named, e.g. `same weekday last week` and
    /// `average of the previous 4 Sundays`.
    public func comparisonNames(count: Int) -> (previous: String, average: String)? {
        switch self {
        case .day(let day): ("same weekday last week", "average of the previous \(count) \(day.weekdayName)s")
        case .week: ("last week", "average of the previous \(count) weeks")
        case .month: ("last month", "average of the previous \(count) months")
        case .range: nil
        }
    }
}

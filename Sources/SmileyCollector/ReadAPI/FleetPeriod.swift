import SmileyCore

/// The local days a fleet read covers: one `day`, an ISO `week`, a `month`, or `from`…`to`
/// (inclusive). Days are the terminals' local days, as each sample's offset gives them.
public struct FleetPeriod: Sendable, Hashable {
    public enum Kind: String, Sendable { case day, week, month, range }

    public var kind: Kind
    public var from: LocalDay
    public var to: LocalDay

    /// At most a year and a day per read (a leap year's 366 days).
    public static let maxDays = 366

    public init(kind: Kind, from: LocalDay, to: LocalDay) {
        self.kind = kind
        self.from = from
        self.to = to
    }

    public var days: Int { to.dayNumber - from.dayNumber + 1 }

    /// How the period is written back: `2026-11-29`, `2026-W48`, `2026-11`, `2026-11-01..2026-11-29`.
    public var label: String {
        switch kind {
        case .day: from.description
        case .week: from.isoWeek.description
        case .month: YearMonth(containing: from).description
        case .range: "\(from)..\(to)"
        }
    }

    static let usage = "give one of day=YYYY-MM-DD, week=YYYY-Www, month=YYYY-MM, or from=YYYY-MM-DD&to=YYYY-MM-DD"

    /// Reads `day`, `week`, `month`, `from` and `to`: exactly one way of naming the period.
    public static func read(_ query: inout QueryReader) throws(CollectorHTTPError) -> FleetPeriod {
        let day = try query.single("day"), week = try query.single("week"), month = try query.single("month")
        let from = try query.single("from"), to = try query.single("to")
        let ways = [day != nil, week != nil, month != nil, from != nil || to != nil].filter { $0 }.count
        guard ways == 1 else {
            throw CollectorHTTPError(.badRequest, "\(query.endpoint): \(ways == 0 ? "no period" : "more than one period"); \(usage)")
        }
        if let day {
            guard let parsed = LocalDay(iso: day) else { throw invalid(query, "day", day, "YYYY-MM-DD, a real date") }
            return FleetPeriod(kind: .day, from: parsed, to: parsed)
        }
        if let week {
            guard let parsed = ISOWeek(iso: week) else { throw invalid(query, "week", week, "YYYY-Www, a week the year has") }
            return FleetPeriod(kind: .week, from: parsed.monday, to: parsed.sunday)
        }
        if let month {
            guard let parsed = YearMonth(iso: month) else { throw invalid(query, "month", month, "YYYY-MM") }
            return FleetPeriod(kind: .month, from: parsed.firstDay, to: parsed.lastDay)
        }
        guard let from, let to else {
            throw CollectorHTTPError(.badRequest, "\(query.endpoint): from and to go together; \(usage)")
        }
        guard let start = LocalDay(iso: from) else { throw invalid(query, "from", from, "YYYY-MM-DD, a real date") }
        guard let end = LocalDay(iso: to) else { throw invalid(query, "to", to, "YYYY-MM-DD, a real date") }
        guard start <= end else {
            throw CollectorHTTPError(.badRequest, "\(query.endpoint): from \(from) is after to \(to)")
        }
        let period = FleetPeriod(kind: .range, from: start, to: end)
        guard period.days <= maxDays else {
            throw CollectorHTTPError(.badRequest, "\(query.endpoint): from…to spans \(period.days) days; at most \(maxDays) per read")
        }
        return period
    }

    static func invalid(_ query: QueryReader, _ name: String, _ value: String, _ allowed: String) -> CollectorHTTPError {
        CollectorHTTPError(.badRequest, "\(query.endpoint): \(name)=\(value) is not valid; expected \(allowed)")
    }
}

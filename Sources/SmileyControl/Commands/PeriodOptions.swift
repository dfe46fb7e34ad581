import ArgumentParser
import SmileyCore

/// The period options `summary`, `export` and `report` share.
struct PeriodOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("One day: today, yesterday or YYYY-MM-DD.", valueName: "day"))
    var day: String?

    @Option(name: .long, help: ArgumentHelp(
        "An ISO week, Monday to Sunday: this, last or YYYY-Www (e.g. 2026-W47). --week alone is this week.",
        valueName: "week"))
    var week: String?

    @Option(name: .long, help: ArgumentHelp("A month: this, last or YYYY-MM. --month alone is this month.",
                                            valueName: "month"))
    var month: String?

    @Option(name: .long, help: ArgumentHelp("First day of a range (today, yesterday or YYYY-MM-DD); with --to.",
                                            valueName: "day"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Last day of a range, included (default: today).", valueName: "day"))
    var to: String?

    /// The period asked for, or `fallback` when none was.
    /// - Parameter maxDays: the longest range allowed; nil for no limit.
    func period(today: LocalDay, fallback: ReportPeriod, maxDays: Int?) throws(ControlError) -> ReportPeriod {
        let given = [day.map { _ in "--day" }, week.map { _ in "--week" }, month.map { _ in "--month" },
                     (from ?? to).map { _ in "--from/--to" }].compactMap { $0 }
        if given.count > 1 {
            throw .usage("give one period: \(given.joined(separator: ", ")) were given together")
        }
        if let day {
            return .day(try Self.day(day, option: "--day", today: today))
        }
        if let week {
            guard let parsed = PeriodText.week(week, today: today) else {
                throw .usage("--week must be this, last or an ISO week as YYYY-Www, e.g. 2026-W47 (weeks 01 to 52, "
                    + "or 53 in long years); got \(Self.shown(week))")
            }
            return .week(parsed)
        }
        if let month {
            guard let parsed = PeriodText.month(month, today: today) else {
                throw .usage("--month must be this, last or a month as YYYY-MM, e.g. 2026-11; got \(Self.shown(month))")
            }
            return .month(parsed)
        }
        if from != nil || to != nil {
            guard let from else { throw .usage("--to needs --from: give the first day of the range too") }
            let first = try Self.day(from, option: "--from", today: today)
            let last = try to.map { (text) throws(ControlError) in try Self.day(text, option: "--to", today: today) } ?? today
            if last < first {
                throw .usage("--from \(first) is after --to \(last); the range runs from the earlier day to the later one")
            }
            let period = ReportPeriod.range(from: first, to: last)
            if let maxDays, period.dayCount > maxDays {
                throw .usage("the range \(first) to \(last) is \(period.dayCount) days; at most \(maxDays) are allowed "
                    + "(use export for longer stretches)")
            }
            return first == last ? .day(first) : period
        }
        return fallback
    }

    static func day(_ text: String, option: String, today: LocalDay) throws(ControlError) -> LocalDay {
        guard let day = PeriodText.day(text, today: today) else {
            throw .usage("\(option) must be today, yesterday or a date as YYYY-MM-DD; got \(shown(text))")
        }
        return day
    }

    /// Bad input in a message: quoted and cut short.
    static func shown(_ text: String) -> String {
        let cut = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return JSONValue.quote(cut)
    }
}

/// `--week` and `--month` may come without a value (this week, this month). ArgumentParser wants a
/// value for an option, so one is supplied before parsing.
enum OptionalValueOptions {
    static let options: [String: String] = ["--week": "this", "--month": "this"]

    static func normalize(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for (index, argument) in arguments.enumerated() {
            result.append(argument)
            if let fill = options[argument] {
                let next = index + 1 < arguments.count ? arguments[index + 1] : nil
                if next == nil || next?.hasPrefix("-") == true { result.append(fill) }
            }
        }
        return result
    }
}

import ArgumentParser
import Foundation
import SmileyCore

/// `smileyctl summary`: counts, shares and scores of a day, week, month or range, hour by hour or
/// day by day, compared with earlier ones.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Counts per button, satisfaction index (0–100), top-2 share and net score of a period.",
        discussion: """
            Days are local days: a press counts on the day and in the hour the terminal's clock \
            showed when it was pressed, in spite of daylight saving or a change of time zone. A day \
            is shown hour by hour; a week, month or range day by day. An hour or day with fewer \
            than report.min-samples presses (default 10) shows its counts but no index.

            A day is compared with the same weekday last week and the average of the previous four \
            same weekdays; a week (month) with last week (month) and the average of the previous four.

            Flagged presses (too soon after another press, or two buttons at once) are left out \
            unless --include-misuse is given. Formats: table for people, csv and json for scripts \
            (fields documented in docs/reports.md). Without a period option: today.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var period: PeriodOptions

    @Option(name: .long, help: ArgumentHelp("Only presses of this survey (default: every survey).", valueName: "name"))
    var survey: String?

    @Flag(name: .long, help: "Count flagged presses too.")
    var includeMisuse = false

    @Option(name: .long, help: "Output format: table for people, csv or json for scripts.")
    var format: SummaryFormat = .table

    func run() throws {
        try reportingErrors { () throws(ControlError) in
            let context = try ControlContext.load(configOption: global.config)
            let period = try period.period(today: context.today, fallback: .day(context.today),
                                           maxDays: ReportPeriod.maxRangeDays)
            let summary = try context.summary(period: period, survey: survey, includeMisuse: includeMisuse)
            let output: String
            switch format {
            case .json: output = SummaryRendering.json(summary).rendered() + "\n"
            case .csv: output = SummaryRendering.csv(summary)
            case .table: output = SummaryRendering.table(summary, title: context.title(summary), terminal: .standardOutput())
            }
            try StandardOutput.write(output)
        }
    }
}

enum SummaryFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

extension ControlContext {
    func summary(period: ReportPeriod, survey: String?, includeMisuse: Bool) throws(ControlError) -> PeriodSummary {
        if let survey, survey.isEmpty || survey.count > 64 {
            throw .usage("--survey must be a survey name of 1 to 64 characters")
        }
        let reader = try reader()
        do {
            return try SummaryEngine.summarize(period: period, configuration: configuration, reader: reader,
                                               survey: survey, includeMisuse: includeMisuse)
        } catch {
            throw ControlError(error)
        }
    }

    /// `store-12 · all surveys · Sunday 2026-11-22 · Europe/Helsinki`.
    func title(_ summary: PeriodSummary) -> String {
        "\(configuration.site) · \(summary.survey ?? "all surveys") · \(summary.period.title) · \(summary.timezone)"
    }
}

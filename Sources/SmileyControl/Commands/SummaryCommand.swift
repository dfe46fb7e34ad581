import ArgumentParser
import Foundation
import SmileyCore

/// `smileyctl summary`: per-button counts and the satisfaction index of one local day.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Counts per button and the satisfaction index (0–100) of a day.",
        discussion: """
            Days are local days in the configured time zone. Flagged presses (too soon after \
            another press, or two buttons at once) are left out unless --include-misuse is given.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Which day: today, yesterday or YYYY-MM-DD.", valueName: "day"))
    var day: String = "today"

    @Option(name: .long, help: "Output format: table for people, json for scripts.")
    var format: OutputFormat = .table

    @Flag(name: .long, help: "Count flagged presses too.")
    var includeMisuse = false

    func run() throws {
        try reportingErrors { () throws(ControlError) in
            let context = try ControlContext.load(configOption: global.config)
            let day = try context.day(day)
            let summary = try Summaries.day(day, context: context, includeMisuse: includeMisuse)
            switch format {
            case .json:
                print(SummaryRendering.json(summary).rendered())
            case .table:
                let configuration = context.configuration
                let title = "\(configuration.site) · \(configuration.survey) · \(summary.day) (\(summary.timezone))"
                print(SummaryRendering.table(summary, title: title, terminal: .standardOutput()), terminator: "")
            }
        }
    }
}

enum Summaries {
    static func day(_ day: LocalDay, context: ControlContext, includeMisuse: Bool) throws(ControlError) -> DaySummary {
        let reader = try context.reader()
        let names = context.configuration.buttons.map(\.name)
        let tally: Tally
        do {
            tally = try reader.tally(in: day.interval(in: context.zone), buttons: names.count)
        } catch {
            throw ControlError(error)
        }
        return DaySummary(day: day.description, timezone: context.zone.identifier, names: names,
                          tally: tally, includeMisuse: includeMisuse)
    }
}

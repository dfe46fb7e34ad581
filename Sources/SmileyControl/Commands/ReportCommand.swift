import ArgumentParser
import Foundation
import SmileyCore
import SmileyStore

/// `smileyctl report`: a day's or week's report as a page for a manager, and the end-of-day files.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A report to send on: one self-contained HTML page (or text, or JSON); --end-of-day writes the day's files.",
        discussion: """
            The HTML page has the figures and charts of the period inline (CSS and SVG, no script, \
            nothing fetched from the network): save it and mail it, e.g. \
            `ssh kiosk smileyctl report --format html --week last > week.html`. Without a period \
            option: today.

            --end-of-day is what smiley-report.timer runs: it writes the report of the last closed \
            day (today from report.closing-time on, else yesterday) to report.directory as \
            YYYY-MM-DD.txt, .json and .html, and deletes reports older than report.keep-days. A \
            report written after its day ended is final and is not written again.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var period: PeriodOptions

    @Option(name: .long, help: ArgumentHelp("Only presses of this survey (default: every survey).", valueName: "name"))
    var survey: String?

    @Flag(name: .long, help: "Count flagged presses too.")
    var includeMisuse = false

    @Option(name: .long, help: "html (one self-contained page), text (as summary's table) or json (as summary's).")
    var format: ReportFormat = .html

    @Option(name: .long, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var output: String?

    @Flag(name: .long, help: "Write the last closed day's report files to report.directory and prune old ones.")
    var endOfDay = false

    func validate() throws {
        if endOfDay, output != nil {
            throw ValidationError("--end-of-day writes to report.directory; leave out --output")
        }
        if endOfDay, period.day != nil || period.week != nil || period.month != nil || period.from != nil || period.to != nil {
            throw ValidationError("--end-of-day reports the last closed day; leave out the period options")
        }
    }

    func run() throws {
        try reportingErrors { () throws(ControlError) in
            let context = try ControlContext.load(configOption: global.config)
            if endOfDay {
                let result = try Self.writeEndOfDay(context: context, survey: survey, includeMisuse: includeMisuse)
                try StandardOutput.write(result.joined(separator: "\n") + "\n")
                return
            }
            let period = try period.period(today: context.today, fallback: .day(context.today),
                                           maxDays: ReportPeriod.maxRangeDays)
            let summary = try context.summary(period: period, survey: survey, includeMisuse: includeMisuse)
            let text = Self.render(summary, format: format, context: context)
            if let output {
                try EndOfDay.writeAtomically(text, to: output)
            } else {
                try StandardOutput.write(text)
            }
        }
    }

    static func render(_ summary: PeriodSummary, format: ReportFormat, context: ControlContext) -> String {
        switch format {
        case .html:
            let generated = RFC3339.plainLocal(ms: context.nowMs, zone: context.zone) + " " + context.zone.identifier
            return HTMLReport.render(summary, context: HTMLReport.Context(
                site: context.configuration.site, terminal: context.configuration.terminal, generated: generated))
        case .text:
            return SummaryRendering.table(summary, title: context.title(summary), terminal: Terminal(colors: false, width: 100))
        case .json:
            return SummaryRendering.json(summary).rendered() + "\n"
        }
    }

    /// Writes the last closed day's files and prunes; returns what it did, one line each.
    static func writeEndOfDay(context: ControlContext, survey: String?, includeMisuse: Bool) throws(ControlError) -> [String] {
        let settings = context.configuration.report
        let directory = settings.directory
        let day = EndOfDay.reportDay(nowMs: context.nowMs, zone: context.zone, closing: settings.closingTime)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ControlError("cannot create the report folder \(directory): \(error.localizedDescription); "
                + "create it and let this user write to it, or set report.directory", exitCode: 73)
        }
        var done: [String] = []
        let base = (directory as NSString).appendingPathComponent(day.description)
        let dayEnd = day.interval(in: context.zone).upperBound
        let paths = EndOfDay.fileExtensions.map { "\(base).\($0)" }
        let final = paths.allSatisfy { path in
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            else { return false }
            return Int64(modified.timeIntervalSince1970 * 1000) >= dayEnd
        }
        if final {
            done.append("\(day): report is final already (\(base).*)")
        } else {
            let summary = try context.summary(period: .day(day), survey: survey, includeMisuse: includeMisuse)
            for (format, path) in zip([ReportFormat.text, .json, .html], paths) {
                try EndOfDay.writeAtomically(render(summary, format: format, context: context), to: path)
                done.append("wrote \(path)")
            }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in EndOfDay.expired(files: names, today: context.today, keepDays: settings.keepDays) {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try FileManager.default.removeItem(atPath: path)
                done.append("removed \(path) (older than \(settings.keepDays) days)")
            } catch {
                throw ControlError("cannot remove the old report \(path): \(error.localizedDescription)", exitCode: 73)
            }
        }
        return done
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case html, text, json
}

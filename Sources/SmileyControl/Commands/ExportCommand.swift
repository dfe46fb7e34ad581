import SmileyPlatform
import ArgumentParser
import Foundation
import SmileyCore
import SmileyStore
#if canImport(Glibc)
import Glibc
#endif

/// `smileyctl export`: every raw sample of a period, for spreadsheets and scripts.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Every sample of a period with its misuse flag, clock state and sync state, as CSV or JSON.",
        discussion: """
            Samples go out in time order, flagged ones included (see the misuse column). The \
            export is streamed: memory stays the same for a day or ten years, and each page of \
            \(ExportCommand.pageSize) samples is read in its own short read transaction, so smileyd \
            is never held up. Progress goes to stderr when stderr is a terminal. Without a period \
            option: today. The columns are documented in docs/reports.md.
            """)

    static let pageSize = 2000

    @OptionGroup var global: GlobalOptions
    @OptionGroup var period: PeriodOptions

    @Option(name: .long, help: ArgumentHelp("Only samples of this survey (default: every survey).", valueName: "name"))
    var survey: String?

    @Option(name: .long, help: "csv (a header line, then one line per sample) or json (an array, one sample per line).")
    var format: ExportFormat = .csv

    func run() throws {
        try reportingErrors { () throws(ControlError) in
            let context = try ControlContext.load(configOption: global.config)
            let period = try period.period(today: context.today, fallback: .day(context.today), maxDays: nil)
            let reader = try context.reader()
            let progress = isatty(STDERR_FILENO) == 1 ? ExportProgress() : nil
            try Self.export(period: period, survey: survey, format: format, reader: reader, progress: progress)
        }
    }

    static func export(period: ReportPeriod, survey: String?, format: ExportFormat, reader: StoreReader,
                       progress: ExportProgress?) throws(ControlError) {
        let range = period.localRangeMs
        do {
            progress?.total = try reader.sampleCount(localRange: range, survey: survey)
            try StandardOutput.write(format == .csv ? SampleFormatting.csvHeader + "\n" : "[")
            var position: ExportPosition?
            var written = 0
            while true {
                let page = try reader.exportPage(localRange: range, survey: survey, after: position,
                                                 limit: pageSize)
                if page.isEmpty { break }
                var text = ""
                text.reserveCapacity(page.count * 220)
                for sample in page {
                    switch format {
                    case .csv:
                        text += SampleFormatting.csvLine(sample)
                        text += "\n"
                    case .json:
                        text += written == 0 ? "\n" : ",\n"
                        text += SampleFormatting.json(sample).rendered()
                    }
                    written += 1
                }
                try StandardOutput.write(text)
                progress?.update(written)
                guard let last = page.last, page.count == pageSize else { break }
                position = ExportPosition(recordedAtMs: last.recordedAtMs, rowID: last.rowID)
            }
            if format == .json { try StandardOutput.write(written == 0 ? "]\n" : "\n]\n") }
            progress?.finish(written)
        } catch let error as ControlError {
            throw error
        } catch let error as StoreError {
            throw ControlError(error)
        } catch {
            throw ControlError("export failed: \(error)", exitCode: 74)
        }
    }
}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json
}

/// `exported 12000 of 50000 samples (24%)` on stderr, rewritten in place.
final class ExportProgress {
    var total = 0
    private var lastShownMs: Int64 = 0

    func update(_ written: Int) {
        let now = WallClock.nowMs()
        guard now - lastShownMs >= 200 else { return }
        lastShownMs = now
        StandardOutput.error("\rexported \(written) of \(total) samples (\(total == 0 ? 100 : written * 100 / total)%)")
    }

    func finish(_ written: Int) {
        StandardOutput.error("\rexported \(written) samples\u{1B}[K\n")
    }
}

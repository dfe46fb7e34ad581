import Foundation
import GRDB
import SmileyConfig
import SmileyControl
import SmileyCore
import SmileyStore

/// The benchmark's steps: generate the database once, time the summaries in process, then (with
/// `--smileyctl`) the binary end to end; `--measure` is the small helper process of ``runTimed``.
enum ReportBench {
    static func run(zone: Zone) throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--measure", arguments.count >= 2 {
            let result = try spawnAndWait(arguments[1], Array(arguments.dropFirst(2)), environment: [:])
            print(String(format: "%.3f", result.ms), result.status, result.maxRSSKiB)
            return
        }
        let options = try Options(arguments)
        let path = options.database
        if FileManager.default.fileExists(atPath: path + ".done") {
            print("Reusing \(path) (\(fileSize(path) / 1_048_576) MiB); delete it and \(path).done to generate again.")
        } else {
            print("Generating \(options.samples) samples into \(path) …")
            try generate(path: path, samples: options.samples, zone: zone)
        }

        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let configPath = folder + "/bench.yaml"
        let yaml = """
            terminal: bench-terminal
            site: bench-store
            timezone: Europe/Helsinki
            database: \(path)
            input: keyboard
            buttons:
              - name: very-unhappy
              - name: unhappy
              - name: happy
              - name: very-happy

            """
        guard FileManager.default.createFile(atPath: configPath, contents: Data(yaml.utf8)) else {
            throw BenchError("cannot write \(configPath)")
        }
        let configuration = try ConfigLoader.load(path: configPath, environment: [:], requireReplayFile: false)
        let reader = try StoreReader(path: path)
        let total = try reader.totals().samples
        print("Database: \(total) samples, \(reader.sizeOnDisk() / 1_048_576) MiB with its indexes")
        print("Hourly query plan: " + (try reader.hourlyQueryPlan(survey: nil)).replacingOccurrences(of: "\n", with: "; "))
        // Other work on the machine slows every figure: say how busy it was.
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
            .joined(separator: " ") ?? "unknown"
        print("Load average before timing (1, 5, 15 min): \(load) on \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("")

        let day = LocalDay(year: 2026, month: 11, day: 21)  // a Saturday, the busiest kind of day
        let cases: [(String, ReportPeriod)] = [
            ("one day (2026-11-21, with 4 comparison days)", .day(day)),
            ("one week (2026-W47, with 4 comparison weeks)", .week(ISOWeek(year: 2026, week: 47))),
            ("one month (2026-10, with 4 comparison months)", .month(YearMonth(year: 2026, month: 10))),
            ("one year (2025-01-01..2025-12-31)", .range(from: LocalDay(year: 2025, month: 1, day: 1),
                                                         to: LocalDay(year: 2025, month: 12, day: 31))),
        ]
        print("| summary (in process: SummaryEngine) | presses | first | median of \(options.runs) | max |")
        print("|---|---:|---:|---:|---:|")
        for (label, period) in cases {
            var counted = 0
            let timing = try time(runs: options.runs) {
                let summary = try SummaryEngine.summarize(period: period, configuration: configuration, reader: reader,
                                                          survey: nil, includeMisuse: false)
                counted = summary.total.counted
            }
            print("| \(label) | \(counted) | \(ms(timing.first)) | \(ms(timing.median)) | \(ms(timing.max)) |")
        }

        if let smileyctl = options.smileyctl {
            print("")
            print("| smileyctl process, end to end (start, config, query, JSON out) | first | median of \(options.runs) | max |")
            print("|---|---:|---:|---:|")
            let environment = ["SMILEY_CONFIG": configPath, "SMILEY_NOW": "2026-11-30T21:00:00+02:00"]
            let commands: [(String, [String])] = [
                ("smileyctl summary --day 2026-11-21 --format json", ["summary", "--day", "2026-11-21", "--format", "json"]),
                ("smileyctl summary --from 2025-01-01 --to 2025-12-31 --format json",
                 ["summary", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json"]),
                ("smileyctl report --format html --week 2026-W47", ["report", "--format", "html", "--week", "2026-W47"]),
            ]
            for (label, arguments) in commands {
                let timing = try time(runs: options.runs) {
                    let result = try runTimed(smileyctl, arguments, environment: environment)
                    if result.status != 0 { throw BenchError("\(label) exited with \(result.status)") }
                }
                print("| `\(label)` | \(ms(timing.first)) | \(ms(timing.median)) | \(ms(timing.max)) |")
            }
            let baseline = try runTimed("/bin/true", [], environment: [:])
            print("")
            print("Max RSS below is the child's getrusage high-water mark; /bin/true measured the same way: "
                + "\(baseline.maxRSSKiB / 1024) MiB.")
            print("")
            print("| export to /dev/null | samples | time | samples/s | max RSS |")
            print("|---|---:|---:|---:|---:|")
            for (label, arguments) in [("one day, csv", ["--day", "2026-11-21"]), ("one month, csv", ["--month", "2026-10"]),
                                       ("one year, csv", ["--from", "2025-01-01", "--to", "2025-12-31"]),
                                       ("one year, json", ["--from", "2025-01-01", "--to", "2025-12-31", "--format", "json"])] {
                let count = try reader.sampleCount(localRange: try periodFor(arguments).localRangeMs, survey: nil)
                let result = try runTimed(smileyctl, ["export"] + arguments, environment: environment)
                if result.status != 0 { throw BenchError("export \(arguments) exited with \(result.status)") }
                print("| \(label) | \(count) | \(ms(result.ms)) | \(Int(Double(count) / result.ms * 1000)) | "
                    + "\(result.maxRSSKiB / 1024) MiB |")
            }
        }
    }

    static func periodFor(_ arguments: [String]) throws -> ReportPeriod {
        if arguments.first == "--day", let day = LocalDay(iso: arguments[1]) { return .day(day) }
        if arguments.first == "--month", let month = YearMonth(iso: arguments[1]) { return .month(month) }
        if arguments.first == "--from", let from = LocalDay(iso: arguments[1]), let to = LocalDay(iso: arguments[3]) {
            return .range(from: from, to: to)
        }
        throw BenchError("no period in \(arguments)")
    }
}

// smiley-report-bench: how fast are summaries on ten years of a busy store? (`make bench-reports`)
//
// Generates (once; reused while its marker file exists) a database of 10,000,000 samples — ten
// years of a store open 08:00–21:00 in Europe/Helsinki, about 2,700 presses a day — with the real
// schema and migrations, then times the real summary code (SummaryEngine: the store's queries and
// the pure builder, exactly what `smileyctl summary` runs) and the smileyctl binary end to end.
// Not a test: it prints figures for docs/reports.md.
import Foundation
import GRDB
import SmileyConfig
import SmileyControl
import SmileyCore
import SmileyStore

struct Options {
    var database = (ProcessInfo.processInfo.environment["HOME"] ?? "/tmp") + "/.cache/smiley-bench/reports-10M.sqlite"
    var samples = 10_000_000
    var smileyctl: String?
    var runs = 15

    init(_ arguments: [String]) throws {
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--database": database = try value()
            case "--samples":
                guard let n = Int(try value()), n > 0 else { throw BenchError("--samples needs a positive number") }
                samples = n
            case "--smileyctl": smileyctl = try value()
            case "--runs":
                guard let n = Int(try value()), n > 0 else { throw BenchError("--runs needs a positive number") }
                runs = n
            case let other: throw BenchError("unknown option \(other); options: --database PATH --samples N --smileyctl PATH --runs N")
            }
            index += 1
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// SplitMix64: fast, seeded, the same database every time.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

guard let zone = Zone(identifier: "Europe/Helsinki") else {
    FileHandle.standardError.write(Data("smiley-report-bench: Europe/Helsinki is not in the tz database at \(Zone.databaseDirectory)\n".utf8))
    exit(69)
}
let lastDay = LocalDay(year: 2026, month: 11, day: 30)
let names = ["very-unhappy", "unhappy", "happy", "very-happy"]

func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func generate(path: String, samples total: Int) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for suffix in ["", "-wal", "-shm", ".done"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    let started = nowNs()
    var configuration = GRDB.Configuration()
    configuration.prepareDatabase { db in
        try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144")
    }
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    try SmileyMigrations.migrator.migrate(queue)

    let days = 3652
    let firstDay = lastDay.adding(days: -(days - 1))
    // Presses per hour of the day (08:00–21:00), lunch and after-work peaks.
    let hourWeights: [Double] = [0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 7, 9, 12, 10, 8, 8, 10, 12, 11, 8, 5, 2, 0, 0]
    let weekdayFactor: [Double] = [0.9, 0.85, 0.9, 1.0, 1.15, 1.35, 0.85]  // Monday … Sunday
    var dayWeights: [Double] = []
    for offset in 0..<days {
        let day = firstDay.adding(days: offset)
        let growth = 0.7 + 0.6 * Double(offset) / Double(days)      // the store gets busier over the years
        let season = 1 + 0.25 * cos(Double(day.month - 12) / 12 * 2 * .pi)  // December peak
        dayWeights.append(growth * season * weekdayFactor[day.isoWeekday - 1])
    }
    let weightSum = dayWeights.reduce(0, +)
    var hourCumulative: [Double] = []
    var running = 0.0
    for weight in hourWeights { running += weight; hourCumulative.append(running) }

    var rng = SplitMix64(state: 20261122)
    func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

    var written = 0
    try queue.inTransaction { db in
        let insert = try db.makeStatement(sql: """
            INSERT INTO sample (uuid, terminal, site, survey, button, scale, button_name, recorded_at, utc_offset,
                                boot_id, monotonic_ns, clock_synchronized, misuse, held_ms, sync_state)
            VALUES (?, 'bench-terminal', 'bench-store', ?, ?, 4, ?, ?, ?, 'bench-boot', ?, 1, ?, ?, ?)
            """)
        var carried = 0.0
        for offset in 0..<days {
            let day = firstDay.adding(days: offset)
            var exact = Double(total) * dayWeights[offset] / weightSum + carried
            if offset == days - 1 { exact = Double(total - written) }
            let count = Int(exact.rounded(.down))
            carried = exact - Double(count)
            let dayStart = day.localStartMs
            var times: [Int64] = []
            times.reserveCapacity(count)
            for _ in 0..<count {
                let pick = unit() * running
                let hour = hourCumulative.firstIndex { $0 > pick } ?? 12
                times.append(dayStart + Int64(hour) * 3_600_000 + Int64(unit() * 3_600_000))
            }
            times.sort()
            var offsetCache: [Int64: Int] = [:]
            for local in times {
                let hourKey = local / 3_600_000
                let utcOffset: Int
                if let cached = offsetCache[hourKey] {
                    utcOffset = cached
                } else {
                    // The offset in force at this local time (the wall clock that recorded it).
                    let guess = local - 7_200_000
                    let found = zone.secondsFromUTC(atMs: guess)
                    let exact = zone.secondsFromUTC(atMs: local - Int64(found) * 1000)
                    offsetCache[hourKey] = exact
                    utcOffset = exact
                }
                let recordedAt = local - Int64(utcOffset) * 1000
                let hour = Int(local / 3_600_000 % 24)
                // Busy hours are a little less happy.
                let busy = hourWeights[hour] / 12
                let r = unit()
                let button = r < 0.06 + 0.04 * busy ? 0 : r < 0.14 + 0.06 * busy ? 1 : r < 0.45 ? 2 : 3
                let m = unit()
                let misuse: String? = m < 0.03 ? "interval" : m < 0.035 ? "simultaneous" : nil
                let held: Int64? = unit() < 0.0005 ? 3500 : nil
                let id = SampleID.make(unixMs: recordedAt, using: &rng)
                let survey = day.year >= 2024 ? "checkout-experience" : "service"
                let syncState = offset >= days - 1 ? "pending" : "synced"
                try insert.execute(arguments: [id, survey, button, names[button], recordedAt, utcOffset,
                                               Int64(written) * 1_000_000, misuse, held, syncState])
                written += 1
            }
            if offset % 365 == 364 {
                FileHandle.standardError.write(Data("  generated \(written) samples (\(offset / 365 + 1) years)\n".utf8))
            }
        }
        return .commit
    }
    try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
    try queue.close()
    let seconds = Double(nowNs() - started) / 1e9
    guard FileManager.default.createFile(atPath: path + ".done", contents: Data("\(written)\n".utf8)) else {
        throw BenchError("cannot write the marker \(path).done")
    }
    print("Generated \(written) samples in \(String(format: "%.1f", seconds)) s "
        + "(\(Int(Double(written) / seconds)) rows/s), \(fileSize(path) / 1_048_576) MiB: \(path)")
}

func fileSize(_ path: String) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
}

struct Timing {
    var first: Double
    var median: Double
    var max: Double
}

func time(runs: Int, _ body: () throws -> Void) rethrows -> Timing {
    var samples: [Double] = []
    for _ in 0..<runs {
        let started = nowNs()
        try body()
        samples.append(Double(nowNs() - started) / 1e6)
    }
    let sorted = samples.sorted()
    return Timing(first: samples[0], median: sorted[sorted.count / 2], max: sorted[sorted.count - 1])
}

func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }

/// Runs a process to its end with stdout to /dev/null: wall time (ms), status and its max RSS (KiB).
/// Linux counts a child's memory before its exec too, so call this from a small process (see
/// ``runTimed``), not from the benchmark with its hundreds of MiB.
func spawnAndWait(_ executable: String, _ arguments: [String], environment: [String: String]) throws
    -> (ms: Double, status: Int32, maxRSSKiB: Int)
{
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { "\($0.key)=\($0.value)" }
    var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let started = nowNs()
    let spawned = posix_spawn(&pid, executable, &actions, nil, &argv, &envp)
    guard spawned == 0 else { throw BenchError("cannot run \(executable): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else { throw BenchError("wait4 failed: \(String(cString: strerror(errno)))") }
    }
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (Double(nowNs() - started) / 1e6, exitStatus, usage.ru_maxrss)
}

/// Runs `executable` through `smiley-report-bench --measure`, a fresh small process, so that the max
/// RSS is the command's own (plus the few MiB of that helper: see the `/bin/true` baseline).
func runTimed(_ executable: String, _ arguments: [String], environment: [String: String]) throws
    -> (ms: Double, status: Int32, maxRSSKiB: Int)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
    process.arguments = ["--measure", executable] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let fields = output.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
    guard process.terminationStatus == 0, fields.count == 3, let ms = Double(fields[0]), let status = Int32(fields[1]),
          let rss = Int(fields[2]) else { throw BenchError("measuring \(executable) failed: \(output)") }
    return (ms, status, rss)
}

func main() throws {
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
        try generate(path: path, samples: options.samples)
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

func periodFor(_ arguments: [String]) throws -> ReportPeriod {
    if arguments.first == "--day", let day = LocalDay(iso: arguments[1]) { return .day(day) }
    if arguments.first == "--month", let month = YearMonth(iso: arguments[1]) { return .month(month) }
    if arguments.first == "--from", let from = LocalDay(iso: arguments[1]), let to = LocalDay(iso: arguments[3]) {
        return .range(from: from, to: to)
    }
    throw BenchError("no period in \(arguments)")
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("smiley-report-bench: \(error)\n".utf8))
    exit(1)
}

import Foundation
import Logging
import SmileyConfig
import SmileyCore
import SmileyDaemon
import SmileyInput
import SmileyPlatform
import SmileyStore
#if canImport(Glibc)
import Glibc
#endif

/// `smiley-bench`: the figures in the README.
///
/// 1. Burst: a replayed trace of 50,000 presses (a fifth of them bouncing) through the real
///    `smileyd --replay … --replay-speed max`: presses per second to durable commit, peak RSS.
/// 2. Latency at a human pace: 1,000 presses, one at a time, through the daemon's pipeline
///    in-process: press decided → commit durable, p50/p99.
/// 3. The disk itself: 4 KiB write + fsync, p50/p99, in the same folder.
/// 4. Idle: smileyd on keyboard input with nobody pressing: CPU ticks over 10 s and RSS.
@main
struct SmileyBench {
    static func main() async throws {
        var arguments = CommandLine.arguments.dropFirst()
        var smileyd = ".build/release/smileyd"
        var workOption = ".build/bench"
        var presses = 50_000
        var latencyPresses = 1_000
        while let argument = arguments.popFirst() {
            switch argument {
            case "--smileyd": smileyd = arguments.popFirst() ?? smileyd
            case "--work": workOption = arguments.popFirst() ?? workOption
            case "--presses": presses = arguments.popFirst().flatMap(Int.init) ?? presses
            case "--latency-presses": latencyPresses = arguments.popFirst().flatMap(Int.init) ?? latencyPresses
            default:
                FileHandle.standardError.write(Data("usage: smiley-bench [--smileyd PATH] [--work DIR] [--presses N] [--latency-presses N]\n".utf8))
                exit(64)
            }
        }
        try? FileManager.default.removeItem(atPath: workOption)
        try FileManager.default.createDirectory(atPath: workOption, withIntermediateDirectories: true)
        let work = URL(fileURLWithPath: workOption).standardizedFileURL.path

        print("smiley-bench on \(ProcessInfo.processInfo.activeProcessorCount) cores, work folder \(work)")
        let burst = try Burst.run(smileyd: smileyd, work: work, presses: presses)
        print(String(format: "burst:   %d presses (%d edges) in %.2f s = %.0f presses/s to durable commit; smileyd peak RSS %.1f MB",
                     burst.presses, burst.edges, burst.seconds, Double(burst.presses) / burst.seconds, burst.peakRSSMB))
        let inProcess = try await InProcessBurst.run(work: work)
        print(String(format: "pipeline: the same trace in-process (parsed beforehand in %.2f s): %.2f s = %.0f presses/s to durable commit in %d transactions",
                     inProcess.parseSeconds, inProcess.seconds, Double(burst.presses) / inProcess.seconds, inProcess.transactions))
        let writerOnly = try await WriterOnly.run(work: work, rows: presses)
        print(String(format: "writer:  %d ready-made rows through SampleWriter alone: %.2f s = %.0f rows/s",
                     presses, writerOnly, Double(presses) / writerOnly))
        let fsync = try FsyncProbe.run(folder: work, count: 1000)
        let latency = try await Latency.run(work: work, presses: latencyPresses)
        print(String(format: "latency: decided → committed over %d presses at a human pace: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                     latency.count, latency.p50, latency.p99, latency.max))
        print(String(format: "fsync:   4 KiB write + fsync on the same disk: p50 %.2f ms, p99 %.2f ms (p99 latency − p99 fsync = %.2f ms)",
                     fsync.p50, fsync.p99, latency.p99 - fsync.p99))
        let idle = try Idle.run(smileyd: smileyd, work: work, seconds: 10)
        print(String(format: "idle:    smileyd with nobody pressing: %d CPU ticks in %d s, RSS %.1f MB",
                     idle.ticks, idle.seconds, idle.rssMB))
    }
}

// MARK: - Burst through the real daemon

enum Burst {
    struct Result { var presses: Int; var edges: Int; var seconds: Double; var peakRSSMB: Double }

    static func run(smileyd: String, work: String, presses: Int) throws -> Result {
        let config = try writeConfig(work: work, name: "burst", input: "replay")
        // Presses 100 ms apart on rotating buttons; every fifth bounces three times in 3 ms.
        var trace = ""
        trace.reserveCapacity(presses * 120)
        var edges = 0
        let offsets = [5, 6, 13, 19]
        for i in 0..<presses {
            let start = UInt64(1_000_000_000) + UInt64(i) * 100_000_000
            let offset = offsets[i % 4]
            var times: [(UInt64, Bool)] = [(start, true)]
            if i % 5 == 0 {
                times += [(start + 1_000_000, false), (start + 2_000_000, true)]
            }
            times.append((start + 60_000_000, false))
            for (t, press) in times {
                trace += "event: \(press ? "FALLING" : " RISING") EDGE offset: \(offset) timestamp: [\(String(format: "%12d.%09d", Int(t / 1_000_000_000), Int(t % 1_000_000_000)))]\n"
                edges += 1
            }
        }
        let tracePath = work + "/burst-trace.txt"
        try trace.write(toFile: tracePath, atomically: true, encoding: .utf8)
        let started = Date()
        let (status, usage) = try spawnAndWait(smileyd, ["--config", config, "--replay", tracePath, "--replay-speed", "max"],
                                               stderrPath: work + "/burst.log")
        let seconds = Date().timeIntervalSince(started)
        guard status == 0 else { throw BenchError("smileyd exited \(status); see \(work)/burst.log") }
        let stored = try StoreReader(path: work + "/burst.sqlite").totals().samples
        guard stored == presses else { throw BenchError("expected \(presses) rows, found \(stored)") }
        return Result(presses: presses, edges: edges, seconds: seconds, peakRSSMB: Double(usage.ru_maxrss) / 1024)
    }
}

// MARK: - Burst in-process (no process start-up, no trace parsing)

enum InProcessBurst {
    struct Result { var parseSeconds: Double; var seconds: Double; var transactions: Int }

    static func run(work: String) async throws -> Result {
        let configPath = try writeConfig(work: work, name: "pipeline", input: "replay")
        let configuration = try ConfigLoader.load(path: configPath, requireReplayFile: false)
        let parseStart = Date()
        let source = try ReplaySource.load(path: work + "/burst-trace.txt", buttons: configuration.buttons, speed: nil,
                                           startWallMs: WallClock.nowMs())
        let parseSeconds = Date().timeIntervalSince(parseStart)
        let transactions = Latency.LatencyLog()
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let start = Date()
        try await Smileyd.run(configuration: configuration, source: source, logger: logger,
                              options: .init(shutdownSignals: [], onCommitted: { _, _ in transactions.add(1) }))
        return Result(parseSeconds: parseSeconds, seconds: Date().timeIntervalSince(start), transactions: transactions.values.count)
    }
}

// MARK: - The writer alone

enum WriterOnly {
    static func run(work: String, rows: Int) async throws -> Double {
        let path = work + "/writer.sqlite"
        let pool = try SmileyDatabase.openForWriting(path: path)
        var generator = SampleID.Generator()
        let start0: Int64 = 1_795_341_600_000
        let samples = (0..<rows).map { i in
            NewSample(id: SampleID.make(unixMs: start0 + Int64(i) * 100, using: &generator), terminal: "bench", site: "bench",
                      survey: "default", button: i % 4, scale: 4, buttonName: "happy", recordedAtMs: start0 + Int64(i) * 100,
                      utcOffsetSeconds: 7200, bootID: "replay-0c7b1e0e", monotonicNs: UInt64(i) * 100_000_000,
                      clockSynchronized: true, misuse: nil)
        }
        let writer = SampleWriter(pool: pool, path: path)
        let started = Date()
        let runner = Task { await writer.run() }
        for sample in samples { await writer.submit(.insert(sample)) }
        writer.close()
        await runner.value
        return Date().timeIntervalSince(started)
    }
}

// MARK: - Latency in-process

enum Latency {
    struct Result { var count: Int; var p50: Double; var p99: Double; var max: Double }

    static func run(work: String, presses: Int) async throws -> Result {
        let configPath = try writeConfig(work: work, name: "latency", input: "keyboard")
        let configuration = try ConfigLoader.load(path: configPath)
        let samples = LatencyLog()
        let source = PacedSource(presses: presses, buttons: configuration.buttons.count, gapMs: 15)
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        try await Smileyd.run(configuration: configuration, source: source, logger: logger, options: .init(
            shutdownSignals: [],
            onCommitted: { batch, _ in
                let now = MonotonicClock.nowNs()
                for case .insert(let sample) in batch { samples.add(Double(now - sample.monotonicNs) / 1e6) }
            }))
        let sorted = samples.values.sorted()
        guard !sorted.isEmpty else { throw BenchError("no commits measured") }
        return Result(count: sorted.count, p50: percentile(sorted, 0.50), p99: percentile(sorted, 0.99), max: sorted.last ?? 0)
    }

    /// Presses one by one, `gapMs` apart, on a live time base (decided on the edge).
    struct PacedSource: EdgeSource {
        let presses: Int
        let buttons: Int
        let gapMs: Int
        var name: String { "paced" }
        var debounced: Bool { true }
        var timeBase: TimeBase { .live }

        func edges() -> AsyncThrowingStream<Edge, any Error> {
            AsyncThrowingStream { continuation in
                let task = Task {
                    for i in 0..<presses {
                        try? await Task.sleep(for: .milliseconds(gapMs))
                        let now = MonotonicClock.nowNs()
                        continuation.yield(Edge(button: i % buttons, kind: .rising, timestampNs: now))
                        continuation.yield(Edge(button: i % buttons, kind: .falling, timestampNs: now + 1_000_000))
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                    continuation.finish()
                }
                continuation.onTermination = { _ in task.cancel() }
            }
        }
    }

    final class LatencyLog: @unchecked Sendable {
        private let lock = NSLock()
        private var _values: [Double] = []
        func add(_ value: Double) { lock.withLock { _values.append(value) } }
        var values: [Double] { lock.withLock { _values } }
    }
}

// MARK: - The disk

enum FsyncProbe {
    struct Result { var p50: Double; var p99: Double }

    static func run(folder: String, count: Int) throws -> Result {
        let path = folder + "/fsync-probe"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(path)") }
        defer { close(fd); unlink(path) }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        var times: [Double] = []
        for _ in 0..<count {
            let start = MonotonicClock.nowNs()
            _ = block.withUnsafeBytes { write(fd, $0.baseAddress, 4096) }
            fsync(fd)
            times.append(Double(MonotonicClock.nowNs() - start) / 1e6)
        }
        times.sort()
        return Result(p50: percentile(times, 0.5), p99: percentile(times, 0.99))
    }
}

// MARK: - Idle

enum Idle {
    struct Result { var ticks: Int; var seconds: Int; var rssMB: Double }

    static func run(smileyd: String, work: String, seconds: Int) throws -> Result {
        let config = try writeConfig(work: work, name: "idle", input: "keyboard")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: smileyd)
        process.arguments = ["--config", config]
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        let pid = process.processIdentifier
        let before = try cpuTicks(pid)
        Thread.sleep(forTimeInterval: Double(seconds))
        let after = try cpuTicks(pid)
        let rss = try rssKB(pid)
        try input.fileHandleForWriting.write(contentsOf: Data("q".utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return Result(ticks: after - before, seconds: seconds, rssMB: Double(rss) / 1024)
    }

    static func cpuTicks(_ pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = stat.lastIndex(of: ")") else { throw BenchError("bad /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state(0) ppid(1) … utime(11) stime(12).
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    static func rssKB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}

// MARK: - Helpers

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
    return sorted[max(0, index)]
}

func writeConfig(work: String, name: String, input: String) throws -> String {
    let path = "\(work)/\(name).yaml"
    try """
        terminal: bench
        site: bench
        input: \(input)
        database: \(name).sqlite
        runtime-directory: run-\(name)
        buttons:
          - name: very-unhappy
            line: GPIO5
          - name: unhappy
            line: GPIO6
          - name: happy
            line: GPIO13
          - name: very-happy
            line: GPIO19
        """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Runs a program and returns its exit status and resource usage (peak RSS in ru_maxrss, KiB).
func spawnAndWait(_ path: String, _ arguments: [String], stderrPath: String) throws -> (Int32, rusage) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard result == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(result)))") }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitStatus, usage)
}

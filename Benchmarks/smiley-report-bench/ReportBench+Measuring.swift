import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Clocks, repeated timings and child processes.
extension ReportBench {
    static func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func time(runs: Int, _ body: () throws -> Void) rethrows -> Timing {
        var samples: [Double] = []
        for _ in 0..<runs {
            let started = nowNs()
            try body()
            samples.append(Double(nowNs() - started) / 1e6)
        }
        let sorted = samples.sorted()
        return Timing(first: samples[0], median: sorted[sorted.count / 2], max: sorted[sorted.count - 1])
    }

    static func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }

    /// Runs a process to its end with stdout to /dev/null: wall time (ms), status and its max RSS (KiB).
    /// Linux counts a child's memory before its exec too, so call this from a small process (see
    /// ``runTimed``), not from the benchmark with its hundreds of MiB.
    static func spawnAndWait(_ executable: String, _ arguments: [String], environment: [String: String]) throws
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
    static func runTimed(_ executable: String, _ arguments: [String], environment: [String: String]) throws
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
}

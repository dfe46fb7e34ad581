import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What /proc says about processes of this machine: CPU time (utime + stime, and the reaped
/// children's), peak and current resident memory, the children of a process.
enum ProcessProbe {
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// CPU seconds `pid` used, its reaped children's included (PostgreSQL's postmaster reaps its
    /// backends); nil when it is gone.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command's closing parenthesis: state is field 3, utime 14 … cstime 17.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 14 else { return nil }
        let ticks = (11...14).compactMap { Double(fields[$0]) }.reduce(0, +)
        return ticks / ticksPerSecond
    }

    /// The parent of `pid`.
    static func parent(_ pid: Int32) -> Int32? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// `pid` and every process whose parent it is (one level: PostgreSQL's backends, HAProxy's worker).
    static func family(_ pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return [pid] + entries.compactMap(Int32.init).filter { parent($0) == pid }
    }

    /// Summed CPU seconds of `pids` (those still alive).
    static func cpuSeconds(_ pids: [Int32]) -> Double {
        pids.compactMap { cpuSeconds($0) }.reduce(0, +)
    }

    /// A `VmHWM` (peak) or `VmRSS` (now) line of /proc/PID/status, in MiB.
    static func memoryMiB(_ pid: Int32, _ field: String = "VmHWM") -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }

    /// The first process whose command line contains `text` (HAProxy's master, found by its configuration).
    static func find(commandLineContaining text: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in entries.compactMap(Int32.init).sorted() {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let line = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            if line.contains(text) { return pid }
        }
        return nil
    }

    /// The load averages (1, 5, 15 minutes).
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).joined(separator: " ")
    }
}

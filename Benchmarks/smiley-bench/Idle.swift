import Foundation

/// smileyd on keyboard input with nobody pressing: CPU ticks and RSS.
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

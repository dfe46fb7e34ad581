import ArgumentParser
import Foundation
import GRDB
import SmileyCore
import SmileyStore
#if canImport(Glibc)
import Glibc
#endif

/// Benchmark (not a test): a backlog of N samples in a terminal's database, drained by the real
/// smileyd to a real smiley-collector on 127.0.0.1. Prints samples/s and smileyd's peak RSS.
struct SyncBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smiley-sync-bench",
        abstract: "Measure how fast smileyd drains a large backlog to a local smiley-collector.")

    @Option(help: "The smileyd executable.") var smileyd: String = ".build/release/smileyd"
    @Option(help: "The smiley-collector executable.") var collector: String = ".build/release/smiley-collector"
    @Option(help: "Working folder (emptied first).") var work: String = ".build/bench-sync"
    @Option(help: "Samples in the backlog.") var samples: Int = 1_000_000
    @Option(help: "upstream.batch-size.") var batchSize: Int = 500
    @Flag(help: "Send plain JSON (upstream.gzip: false).") var noGzip = false
    @Option(help: "Give up after this many seconds.") var timeout: Int = 900

    func run() throws {
        let fm = FileManager.default
        try? fm.removeItem(atPath: work)
        try fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        let root = URL(fileURLWithPath: work).standardizedFileURL.path
        let token = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        try write("\(root)/tokens", "bench-terminal \(token)\n", mode: 0o600)
        try write("\(root)/terminal.token", token + "\n", mode: 0o600)
        try write("\(root)/collector.yaml", "host: 127.0.0.1\nport: 0\ndatabase: collector.sqlite\ntokens-file: tokens\n")

        let database = "\(root)/smiley.sqlite"
        let seedStart = Date()
        try seed(database: database, count: samples)
        log(String(format: "seeded %d samples in %.1f s", samples, Date().timeIntervalSince(seedStart)))

        // The collector, on a free port.
        let collectorProcess = Process()
        collectorProcess.executableURL = URL(fileURLWithPath: collector)
        collectorProcess.arguments = ["--config", "\(root)/collector.yaml", "--log-level", "warning"]
        let collectorOut = Pipe()
        collectorProcess.standardOutput = collectorOut
        try collectorProcess.run()
        defer { if collectorProcess.isRunning { collectorProcess.terminate(); collectorProcess.waitUntilExit() } }
        guard let port = readListeningPort(collectorOut.fileHandleForReading) else {
            throw ValidationError("smiley-collector did not report its port")
        }
        log("collector on 127.0.0.1:\(port)")

        try write("\(root)/smiley.yaml", """
            terminal: bench-terminal
            site: bench-site
            survey: bench
            timezone: UTC
            database: smiley.sqlite
            runtime-directory: run
            input: keyboard
            buttons:
              - name: very-unhappy
              - name: unhappy
              - name: happy
              - name: very-happy
            upstream:
              url: http://127.0.0.1:\(port)
              token-file: terminal.token
              batch-size: \(batchSize)
              heartbeat-seconds: 0
              gzip: \(!noGzip)
            """)

        // smileyd, reading keys from a pipe nobody writes to.
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: smileyd)
        daemon.arguments = ["--config", "\(root)/smiley.yaml", "--log-level", "warning"]
        let keys = Pipe()
        daemon.standardInput = keys
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = nil
        daemon.environment = environment
        let started = Date()
        try daemon.run()
        defer { if daemon.isRunning { daemon.terminate(); daemon.waitUntilExit() } }

        var peakKiB = 0
        var received = 0
        var lastReport = Date()
        while received < samples {
            peakKiB = max(peakKiB, Self.peakRSSKiB(pid: daemon.processIdentifier) ?? 0)
            guard daemon.isRunning else { throw ValidationError("smileyd exited (status \(daemon.terminationStatus))") }
            if Date().timeIntervalSince(started) > Double(timeout) { throw ValidationError("timed out with \(received) samples received") }
            usleep(100_000)
            received = Self.collectorSamples(port: port) ?? received
            if Date().timeIntervalSince(lastReport) >= 5 {
                lastReport = Date()
                log(String(format: "%8d received after %.1f s", received, Date().timeIntervalSince(started)))
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        peakKiB = max(peakKiB, Self.peakRSSKiB(pid: daemon.processIdentifier) ?? 0)
        let daemonCPU = Self.cpuSeconds(pid: daemon.processIdentifier) ?? 0
        let collectorCPU = Self.cpuSeconds(pid: collectorProcess.processIdentifier) ?? 0
        daemon.terminate()
        daemon.waitUntilExit()
        let left = try DatabaseQueue(path: database).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sample WHERE sync_state = 'pending'") ?? -1
        }
        print(String(format: "samples: %d, batch-size: %d, gzip: %@", samples, batchSize, noGzip ? "off" : "on"))
        print(String(format: "drained in %.2f s (smileyd start to the last sample stored): %.0f samples/s", elapsed,
                     Double(samples) / elapsed))
        print(String(format: "smileyd peak RSS (VmHWM): %.1f MiB", Double(peakKiB) / 1024))
        print(String(format: "CPU time: smileyd %.2f s (%.1f µs/sample), smiley-collector %.2f s (%.1f µs/sample)",
                     daemonCPU, daemonCPU / Double(samples) * 1e6, collectorCPU, collectorCPU / Double(samples) * 1e6))
        print("unsynced left in the terminal's database: \(left)")
    }

    func log(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode_t(mode))
    }

    /// A backlog as smileyd would have written it: time-ordered ids, four buttons, some flagged.
    func seed(database: String, count: Int) throws {
        let pool = try SmileyDatabase.openForWriting(path: database)
        let start: Int64 = 1_795_341_600_000
        var generator = SystemRandomNumberGenerator()
        let names = ["very-unhappy", "unhappy", "happy", "very-happy"]
        var done = 0
        while done < count {
            let chunk = min(50_000, count - done)
            try pool.write { db in
                let statement = try db.makeStatement(sql: """
                    INSERT INTO sample (uuid, terminal, site, survey, button, scale, button_name, recorded_at, utc_offset,
                        boot_id, monotonic_ns, clock_synchronized, misuse)
                    VALUES (?, 'bench-terminal', 'bench-site', 'bench', ?, 4, ?, ?, 0, 'bench-boot', ?, 1, ?)
                    """)
                for i in done..<(done + chunk) {
                    let at = start + Int64(i) * 1000
                    let button = Int.random(in: 0..<4, using: &generator)
                    let misuse: String? = i % 50 == 0 ? "interval" : nil
                    try statement.execute(arguments: [SampleID.make(unixMs: at, using: &generator), button, names[button], at,
                                                      Int64(i) * 1_000_000_000, misuse])
                }
            }
            done += chunk
        }
    }

    func readListeningPort(_ handle: FileHandle) -> Int? {
        var text = ""
        while !text.contains("\n") {
            let data = handle.availableData
            if data.isEmpty { return nil }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, let colon = line.lastIndex(of: ":") else { return nil }
        return Int(line[line.index(after: colon)...])
    }

    /// User + system CPU seconds of a live process (/proc/PID/stat fields 14 and 15).
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) / ticks
    }

    /// VmHWM of a process, KiB.
    static func peakRSSKiB(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// The collector's sample count from GET /health, over a plain socket.
    static func collectorSamples(port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let range = text.range(of: "\"samples\":") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

SyncBench.main()

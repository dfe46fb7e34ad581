import Foundation
import Synchronization
import Testing
import SmileyStore
#if canImport(Glibc)
import Glibc
#endif

/// The real `smileyd` executable: exit statuses, messages, signals and systemd notification.
@Suite("smileyd as a process", .serialized, .timeLimit(.minutes(2)))
struct ProcessTests {
    @Test("--check-config prints the effective configuration with defaults filled in")
    func checkConfig() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText(input: "keyboard"))
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config, "--check-config"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("debounce-ms: 30"))
        #expect(result.stdout.contains("database: \(folder.file("smiley.sqlite"))"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("smiley.sqlite")))
    }

    @Test("a typo in the config is exit 78 with the key, its line and the fix; SMILEY_CONFIG is honoured")
    func badConfig() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText(input: "keyboard", press: "  debounse-ms: 30\n"))
        let result = try await runProcessAsync(Binaries.smileyd, ["--check-config"], environment: ["SMILEY_CONFIG": config])
        #expect(result.status == 78)
        #expect(result.stderr.contains("debounse-ms"))
        #expect(result.stderr.contains("did you mean debounce-ms"))
        #expect(result.stderr.contains("smiley.yaml:18:"))
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test("a missing config file is exit 78 naming the path and how to choose another")
    func missingConfig() async throws {
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", "/nonexistent/smiley.yaml"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("/nonexistent/smiley.yaml"))
        #expect(result.stderr.contains("--config"))
    }

    @Test("--replay at max speed records the trace and exits 0 once everything is committed")
    func replay() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText())
        var trace = ""
        for i in 0..<50 {
            let t = 10 + i * 6 // 6 s apart: all accepted
            trace += "event: FALLING EDGE offset: \([5, 6, 13, 19][i % 4]) timestamp: [ \(t).000000000]\n"
            trace += "event:  RISING EDGE offset: \([5, 6, 13, 19][i % 4]) timestamp: [ \(t).120000000]\n"
        }
        let tracePath = folder.write("trace.txt", trace)
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config, "--replay", tracePath, "--replay-speed", "max",
                                                       "--replay-start", "2026-11-22T09:00:00+02:00"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try StoreReader(path: folder.file("smiley.sqlite")).samples(afterRowID: 0)
        #expect(rows.count == 50)
        #expect(rows.first?.recordedAtMs == 1_795_330_800_000)
        let last = try #require(rows.last)
        #expect(last.recordedAtMs == Int64(1_795_330_800_000 + 49 * 6000), "\(rows.map(\.recordedAtMs))")
        #expect(rows.allSatisfy { $0.misuse == nil })
        #expect(result.stderr.components(separatedBy: "\n").filter { $0.contains(" press ") && $0.contains("accepted") }.count == 50)
    }

    @Test("a malformed trace line is exit 65 with its line number and content; nothing is recorded")
    func malformedTrace() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText())
        let tracePath = folder.write("trace.txt", "event: FALLING EDGE offset: 5 timestamp: [ 1.000000000]\nthis is not gpiomon\n")
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config, "--replay", tracePath])
        #expect(result.status == 65)
        #expect(result.stderr.contains("line 2"))
        #expect(result.stderr.contains("this is not gpiomon"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("smiley.sqlite")))
    }

    @Test("bad option values are usage errors (64)", arguments: [
        ["--replay-speed", "fast"], ["--replay-start", "yesterday"], ["--log-level", "loud"], ["--no-such-option"],
    ])
    func usage(arguments: [String]) async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText())
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config] + arguments)
        #expect(result.status == 64)
        #expect(!result.stderr.isEmpty)
    }

    @Test("a database from a newer Smiley is refused with exit 65")
    func newerDatabase() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText(input: "keyboard"))
        do {
            let pool = try SmileyDatabase.openForWriting(path: folder.file("smiley.sqlite"))
            try await pool.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-future')") }
        }
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config], stdin: "q")
        #expect(result.status == 65)
        #expect(result.stderr.contains("newer Smiley"))
    }

    @Test("a database folder the daemon's user cannot write: exit 73 naming the path and the fix",
          .enabled(if: getuid() == 0, "needs root to run smileyd as another user"))
    func unwritableDatabase() async throws {
        let folder = TemporaryFolder()
        chmod(folder.path, 0o755)
        let config = folder.write("smiley.yaml", configText(input: "keyboard"))
        chmod(config, 0o644)
        let result = try await runProcessAsync("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                                         Binaries.smileyd, "--config", config], stdin: "q")
        #expect(result.status == 73)
        #expect(result.stderr.contains(folder.file("smiley.sqlite")))
        #expect(result.stderr.contains("nobody"))
        #expect(result.stderr.contains("fix:"))
    }

    @Test("SIGTERM in the middle of a stream: exit 0 and every acknowledged press is in the database")
    func sigtermLosesNothing() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText())
        var trace = ""
        for i in 0..<400 {
            let ms = 1000 + i * 100 // 10 presses a second at real speed, each 50 ms long
            let offset = [5, 6, 13, 19][i % 4]
            trace += "event: FALLING EDGE offset: \(offset) timestamp: [ \(ms / 1000).\(String(format: "%03d", ms % 1000))000000]\n"
            trace += "event:  RISING EDGE offset: \(offset) timestamp: [ \(ms / 1000).\(String(format: "%03d", ms % 1000 + 50))000000]\n"
        }
        let tracePath = folder.write("trace.txt", trace)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.smileyd)
        process.arguments = ["--config", config, "--replay", tracePath, "--replay-speed", "1"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Its log, read on a thread of its own as it comes; SIGTERM once 20 press lines (accepted
        // or re-flagged) are out (however long start-up took), well before the trace's 40 s end.
        let collected = Observed((text: "", ended: false))
        Thread {
            while case let chunk = err.fileHandleForReading.availableData, !chunk.isEmpty {
                collected.update { $0.text += String(decoding: chunk, as: UTF8.self) }
            }
            collected.update { $0.ended = true }
        }.start()
        @Sendable func pressLines(_ text: String) -> Int {
            text.components(separatedBy: "\n").filter { $0.contains(" press ") && $0.contains("id=") }.count
        }
        #expect(await collected.holds(within: .seconds(30)) { pressLines($0.text) >= 20 })
        kill(process.processIdentifier, SIGTERM)
        #expect(await collected.holds(within: .seconds(60)) { $0.ended })
        await process.exited()
        let log = collected.value.text
        #expect(process.terminationStatus == 0)
        let acknowledged = Set(log.components(separatedBy: "\n").compactMap { line -> String? in
            guard line.contains(" press "), let range = line.range(of: "id=") else { return nil }
            return String(line[range.upperBound...].prefix(36)).lowercased()
        })
        let stored = try StoreReader(path: folder.file("smiley.sqlite")).samples(afterRowID: 0)
        #expect(acknowledged.count > 10)
        #expect(stored.count < 400, "the stop came mid-stream")
        #expect(acknowledged.isSubset(of: Set(stored.map { $0.id.uuidString.lowercased() })))
        #expect(log.contains("every press is committed"))
    }

    @Test("keyboard input: keys 1..4 from a pipe are presses; q stops")
    func keyboard() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText(input: "keyboard", press: "  response-interval-ms: 0\n  simultaneous-ms: 0\n"))
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config], stdin: "4431q")
        #expect(result.status == 0)
        let rows = try StoreReader(path: folder.file("smiley.sqlite")).samples(afterRowID: 0)
        #expect(rows.map(\.button) == [3, 3, 2, 0])
        #expect(result.stderr.contains("1=very-unhappy"))
    }

    @Test("input: keyboard with standard input on /dev/null (as under systemd) is exit 78 naming why, not exit 0")
    func keyboardWithoutTerminal() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText(input: "keyboard"))
        let result = try await runProcessAsync("/bin/sh", ["-c", "exec \"$0\" --config \"$1\" < /dev/null",
                                                           Binaries.smileyd, config])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("standard input is /dev/null"), "\(result.stderr)")
        #expect(result.stderr.contains("use input: gpio"), "\(result.stderr)")
    }

    @Test("whatever umask starts it, the files smileyd creates are not readable by others")
    func fileModes() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText(input: "keyboard"))
        let result = try await runProcessAsync("/bin/sh", ["-c", "umask 000; exec \"$0\" --config \"$1\"",
                                                           Binaries.smileyd, config], stdin: "2q")
        #expect(result.status == 0, "\(result.stderr)")
        var info = stat()
        #expect(stat(folder.file("smiley.sqlite"), &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640, "mode \(String(info.st_mode & 0o7777, radix: 8))")
        #expect(try StoreReader(path: folder.file("smiley.sqlite")).samples(afterRowID: 0).count == 1)
    }

    @Test("systemd notification: READY=1 once running, STATUS= lines, STOPPING=1 on the way out")
    func notify() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText(input: "keyboard"))
        let socketPath = folder.file("notify.sock")
        let fd = try bindDatagramSocket(socketPath)
        defer { close(fd) }
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config], environment: ["NOTIFY_SOCKET": socketPath], stdin: "2q")
        #expect(result.status == 0)
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n <= 0 { break }
            messages.append(String(decoding: buffer[0..<n], as: UTF8.self))
        }
        #expect(messages.contains("READY=1"))
        #expect(messages.contains("STOPPING=1"))
        #expect(messages.contains { $0.hasPrefix("STATUS=") })
        let ready = messages.firstIndex(of: "READY=1") ?? .max
        let stopping = messages.firstIndex(of: "STOPPING=1") ?? -1
        #expect(ready < stopping)
    }
}

extension ProcessTests {
    @Test("the watchdog: WATCHDOG=1 at half of WATCHDOG_USEC while the daemon runs")
    func watchdog() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText(input: "keyboard"))
        let socketPath = folder.file("notify.sock")
        let fd = try bindDatagramSocket(socketPath)
        defer { close(fd) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.smileyd)
        process.arguments = ["--config", config]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = socketPath
        environment["WATCHDOG_USEC"] = "200000"
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Each notification as it arrives, with its arrival time, read on a thread of its own.
        let received = Observed<[(message: String, at: ContinuousClock.Instant)]>([])
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                let message = String(decoding: buffer[0..<n], as: UTF8.self)
                if message == endOfTest { return }
                let now = ContinuousClock.now
                received.update { $0.append((message, now)) }
            }
        }.start()
        // Counted from READY=1 (start-up takes what it takes on a loaded machine): 1.2 s at one
        // ping per 100 ms is about 12; at least 4 leaves a loaded machine plenty of slack.
        @Sendable func readyAt(_ messages: [(message: String, at: ContinuousClock.Instant)]) -> ContinuousClock.Instant? {
            messages.first { $0.message.split(separator: "\n").contains("READY=1") }?.at
        }
        @Sendable func pingsAfterReady(_ messages: [(message: String, at: ContinuousClock.Instant)]) -> Int {
            guard let ready = readyAt(messages) else { return 0 }
            return messages.filter { $0.message == "WATCHDOG=1" && $0.at > ready && $0.at <= ready + .milliseconds(1200) }.count
        }
        _ = await received.wait(upTo: .seconds(60)) { messages in
            guard let ready = readyAt(messages) else { return false }
            return pingsAfterReady(messages) >= 4 || messages.contains { $0.at > ready + .milliseconds(1200) }
        }
        let ready = readyAt(received.value) != nil
        let pings = pingsAfterReady(received.value)
        try input.fileHandleForWriting.write(contentsOf: Data("q".utf8))
        await process.exited()
        sendDatagram(endOfTest, to: socketPath)
        #expect(ready)
        #expect(pings >= 4)
        #expect(process.terminationStatus == 0)
    }

    @Test("under the journal, log lines carry sd-daemon priorities instead of timestamps")
    func journalLines() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText(input: "keyboard"))
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config], environment: ["JOURNAL_STREAM": "8:1234"], stdin: "3q")
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("<") }
        #expect(lines.contains { $0.hasPrefix("<6>press happy accepted") })
        #expect(lines.contains { $0.hasPrefix("<4>wall clock not synchronized") } || lines.contains { $0.hasPrefix("<6>smileyd started") })
        #expect(!result.stderr.contains("Z info smileyd"))
    }
}

/// Ends a test's reader of a notification socket.
let endOfTest = "END-OF-TEST"

/// Sends one datagram to the AF_UNIX socket at `path`.
func sendDatagram(_ text: String, to path: String) {
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let data = Array(text.utf8)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(fd, data, data.count, 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
}

/// A bound AF_UNIX datagram socket, as systemd's NOTIFY_SOCKET is.
func bindDatagramSocket(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard result == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
    return fd
}

/// The issue's own flood, replayed through smileyd: 50,460 presses take a while under emulation
/// (arm64 under qemu-user), so this runs with a time limit of its own.
@Suite("a press flood through smileyd", .timeLimit(.minutes(10)))
struct FloodProcessTests {
    @Test("an hour of 14 presses a second on one button: all 50,400 stored flagged, the flood logged, and a person's presses on another button all accepted")
    func floodHour() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText())
        var events: [(ns: UInt64, line: String)] = []
        for i in 0..<50_400 {  // GPIO5 (very-unhappy), stuck: 14 a second
            let ns = UInt64(i) * 1_000_000_000 / 14
            events.append((ns, "event: FALLING EDGE offset: 5 timestamp: [ \(ns / 1_000_000_000).\(String(format: "%09d", ns % 1_000_000_000))]"))
            let up = ns + 30_000_000
            events.append((up, "event:  RISING EDGE offset: 5 timestamp: [ \(up / 1_000_000_000).\(String(format: "%09d", up % 1_000_000_000))]"))
        }
        for minute in 0..<60 {  // GPIO13 (happy): a customer a minute
            let ns = UInt64(30 + minute * 60) * 1_000_000_000 + 20_000_000
            events.append((ns, "event: FALLING EDGE offset: 13 timestamp: [ \(ns / 1_000_000_000).020000000]"))
            events.append((ns + 120_000_000, "event:  RISING EDGE offset: 13 timestamp: [ \(ns / 1_000_000_000).140000000]"))
        }
        let trace = events.sorted { $0.ns < $1.ns }.map(\.line).joined(separator: "\n") + "\n"
        let tracePath = folder.write("flood.txt", trace)
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config, "--replay", tracePath, "--replay-speed", "max",
                                                                  "--replay-start", "2026-11-22T09:00:00+02:00"])
        #expect(result.status == 0, "\(result.stderr.suffix(500))")
        let reader = try StoreReader(path: folder.file("smiley.sqlite"))
        var rows: [StoredSample] = []
        while true {  // read in the reader's pages
            let page = try reader.samples(afterRowID: rows.last?.rowID ?? 0)
            if page.isEmpty { break }
            rows += page
        }
        #expect(rows.count == 50_460)
        let stuck = rows.filter { $0.button == 0 }, person = rows.filter { $0.button == 2 }
        #expect(stuck.count == 50_400 && stuck.filter { $0.misuse == nil }.count == 1)
        #expect(person.count == 60 && person.allSatisfy { $0.misuse == nil }, "\(person.map(\.misuse))")
        let flood = result.stderr.split(separator: "\n").filter { $0.contains("button flooding") }
        #expect(flood.count == 1 && flood.first?.contains("button=very-unhappy") == true, "\(flood)")
    }
}

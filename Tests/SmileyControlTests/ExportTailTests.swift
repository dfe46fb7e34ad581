import Foundation
import SmileyCore
@testable import SmileyControl
import SmileyStore
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("smileyctl export")
struct ExportCommandTests {
    @Test("CSV: every sample of the period with misuse, clock and sync state, in time order, across pages")
    func csv() async throws {
        let terminal = TestTerminal()
        // 4,500 samples on the 22nd (more than two pages of 2,000), some sharing an instant.
        var samples: [NewSample] = []
        for i in 0..<4500 {
            let second = i / 3
            samples.append(sample(String(format: "2026-11-22T%02d:%02d:%02d", 8 + second / 3600, second / 60 % 60, second % 60),
                                  button: i % 4, misuse: i % 50 == 0 ? .interval : nil, synchronized: i % 1000 != 7))
        }
        samples.append(sample("2026-11-21T23:59:59"))
        samples.append(sample("2026-11-23T00:00:00"))
        try await terminal.store(samples.shuffled())
        let result = try await terminal.run(["export", "--day", "2026-11-22"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)  // no progress when stderr is not a terminal
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "id,recorded_at,local_time,utc_offset_seconds,terminal,site,survey,button,button_name,scale,"
            + "misuse,held_ms,clock,recorded_at_original,boot_id,monotonic_ns,sync_state")
        #expect(lines.count == 4501)
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.allSatisfy { $0.count == 17 })
        #expect(Set(rows.map { $0[0] }).count == 4500)
        #expect(Set(samples.filter { $0.recordedAtMs >= 1_795_298_400_000 && $0.recordedAtMs < 1_795_384_800_000 }
            .map { $0.id.uuidString.lowercased() }) == Set(rows.map { $0[0] }))
        #expect(rows.map { $0[1] } == rows.map { $0[1] }.sorted())
        #expect(rows.first?[2] == "2026-11-22T08:00:00.000+02:00")
        #expect(rows.first?[1] == "2026-11-22T06:00:00.000Z")
        #expect(rows.filter { $0[10] == "interval" }.count == 90)
        #expect(rows.filter { $0[12] == "unsynchronized" }.count == 5)
        #expect(rows.allSatisfy { $0[16] == "pending" })
    }

    @Test("CSV: names that a spreadsheet would run as a formula are made inert; JSON keeps them")
    func formulaInjection() async throws {
        let terminal = TestTerminal()
        try await terminal.store([
            sample("2026-11-22T10:00:00", survey: "=HYPERLINK(\"http://x.invalid\")"),
            sample("2026-11-22T10:00:01", survey: "+1"),
            sample("2026-11-22T10:00:02", survey: "-1"),
            sample("2026-11-22T10:00:03", survey: "@SUM(A1)"),
            sample("2026-11-22T10:00:04", survey: "checkout"),
        ])
        let csv = try await terminal.run(["export", "--day", "2026-11-22", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines[1].contains(",\"'=HYPERLINK(\"\"http://x.invalid\"\")\","), "\(lines[1])")
        #expect(lines[2].contains(",'+1,"), "\(lines[2])")
        #expect(lines[3].contains(",'-1,"), "\(lines[3])")
        #expect(lines[4].contains(",'@SUM(A1),"), "\(lines[4])")
        #expect(lines[5].contains(",checkout,"), "\(lines[5])")
        #expect(lines[3].contains(",7200,"))  // numbers are not touched
        let json = try await terminal.run(["export", "--day", "2026-11-22", "--format", "json"])
        #expect(json.stdout.contains("\"survey\":\"-1\""), "\(json.stdout.prefix(400))")
    }

    @Test("CSV.text prefixes exactly the formula starters", arguments: [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
        ("store-12", "store-12"), ("", ""), ("a=b", "a=b"), ("'quoted", "'quoted"),
    ])
    func csvText(value: String, expected: String) {
        #expect(CSV.text(value) == expected)
    }

    @Test("JSON: a valid array of objects, one per line; an empty period is []")
    func json() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-22", hour: 9, [1, 2, 3, 4]) + [sample("2026-11-22T10:00:00", misuse: .simultaneous)])
        let result = try await terminal.run(["export", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 11)
        #expect(result.stdout.split(separator: "\n").count == 13)  // [, 11 objects, ]
        let last = try #require(array.last)
        #expect(last["misuse"] as? String == "simultaneous")
        #expect(last["localTime"] as? String == "2026-11-22T10:00:00.000+02:00")
        #expect(last["clock"] as? String == "synchronized")
        #expect(last["syncState"] as? String == "pending")
        #expect(array.first?["buttonName"] as? String == "very-unhappy")
        let empty = try await terminal.run(["export", "--day", "2026-11-01", "--format", "json"])
        #expect(try JSONSerialization.jsonObject(with: Data(empty.stdout.utf8)) as? [Any] != nil)
        #expect(empty.stdout == "[]\n")
    }

    @Test("a period longer than a year may be exported; bad periods are usage errors")
    func periods() async throws {
        let terminal = TestTerminal()
        try await terminal.store([sample("2024-01-01T12:00:00"), sample("2026-11-22T12:00:00")])
        let long = try await terminal.run(["export", "--from", "2024-01-01", "--to", "2026-11-22"])
        #expect(long.status == 0)
        #expect(long.stdout.split(separator: "\n").count == 3)
        let bad = try await terminal.run(["export", "--from", "yesterday;rm"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--from must be today, yesterday or a date"))
    }
}

@Suite("smileyctl tail")
struct TailCommandTests {
    /// Collects a child's stdout lines as they come.
    final class LineCollector: Sendable {
        private let buffer = Observed("")
        func append(_ data: Data) { buffer.update { $0 += String(decoding: data, as: UTF8.self) } }
        var lines: [String] { Self.lines(buffer.value) }
        private static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

        /// Awaits `count` lines without blocking a thread (the daemon's writer runs on the same few
        /// threads); the lines so far if they have not come within `seconds` (a failure guard).
        func waitFor(count: Int, seconds: Double) async -> [String] {
            _ = await buffer.wait(upTo: .seconds(seconds)) { Self.lines($0).count >= count }
            return lines
        }
    }

    @Test("follows new presses live, one line each, while the daemon's writer commits undisturbed")
    func follows() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-22", hour: 9, [1, 1, 1, 1]))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.smileyctl)
        process.arguments = ["tail", "--lines", "2", "--format", "json"]
        var environment = ProcessInfo.processInfo.environment
        environment["SMILEY_CONFIG"] = terminal.config
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let collector = LineCollector()
        out.fileHandleForReading.readabilityHandler = { handle in collector.append(handle.availableData) }
        try process.run()
        defer {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
            out.fileHandleForReading.readabilityHandler = nil
        }
        let initial = await collector.waitFor(count: 2, seconds: 30)
        #expect(initial.count == 2)

        // The daemon's writer, every press its own commit: a lock held by tail would make commits
        // wait (or fail), which the commit durations and health reports would show.
        let pool = try SmileyDatabase.openForWriting(path: terminal.database)
        let failures = FailureLog()
        let writer = SampleWriter(pool: pool, path: terminal.database, maxBatch: 1,
                                  onCommitted: { _, durationNs in failures.commit(durationNs) },
                                  onHealthChange: { health in if let failure = health.failure { failures.add(failure) } })
        let runner = Task { await writer.run() }
        var sent: [NewSample] = []
        for i in 0..<5 {
            let new = sample(String(format: "2026-11-22T10:00:%02d", i), button: i % 4, misuse: i == 3 ? .interval : nil)
            sent.append(new)
            await writer.submit(.insert(new))
            let arrived = await collector.waitFor(count: 3 + i, seconds: 30)
            #expect(arrived.count == 3 + i, "press \(i) did not appear")
        }
        await writer.close()
        await runner.value
        #expect(failures.all.isEmpty)
        #expect(failures.commits.count == 5)
        // A lock held by tail would hold a commit for the whole busy timeout (10 s) or fail it; a
        // loaded test machine can stretch an fsync past a second, so the bound sits between.
        #expect(failures.commits.allSatisfy { $0 < 5_000_000_000 }, "\(failures.commits)")

        let lines = collector.lines
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.count == 7)
        #expect(objects.suffix(5).map { $0["id"] as? String } == sent.map { $0.id.uuidString.lowercased() })
        #expect(objects[5]["misuse"] as? String == "interval")
        #expect(process.isRunning)
        process.interrupt()
        await process.exited()
        #expect(process.terminationReason == .uncaughtSignal)
    }

    @Test("ends by itself when its reader goes away (an SSH session without a terminal ends)")
    func endsWithItsReader() async throws {
        let terminal = TestTerminal()
        try await terminal.store([sample("2026-11-22T09:15:02")])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.smileyctl)
        process.arguments = ["tail"]
        process.environment = ProcessInfo.processInfo.environment.merging(["SMILEY_CONFIG": terminal.config]) { _, new in new }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let first = out.fileHandleForReading.availableData
        #expect(String(decoding: first, as: UTF8.self).contains("very-happy"))
        try out.fileHandleForReading.close()
        #expect(await process.exited(upTo: .seconds(30)), "tail went on after its reader went away")
        #expect(!process.isRunning)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    @Test("text lines: local time, button, flags")
    func textLines() async throws {
        let terminal = TestTerminal()
        try await terminal.store([sample("2026-11-22T09:15:02", button: 3), sample("2026-11-22T09:15:04", button: 0, misuse: .interval),
                                  sample("2026-11-22T09:15:09", button: 1, synchronized: false)])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.smileyctl)
        process.arguments = ["tail", "-n", "3"]
        process.environment = ProcessInfo.processInfo.environment.merging(["SMILEY_CONFIG": terminal.config]) { _, new in new }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let collector = LineCollector()
        out.fileHandleForReading.readabilityHandler = { handle in collector.append(handle.availableData) }
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let lines = await collector.waitFor(count: 3, seconds: 30)
        process.interrupt()
        await process.exited()
        out.fileHandleForReading.readabilityHandler = nil
        #expect(lines == [
            "2026-11-22 09:15:02  very-happy    accepted",
            "2026-11-22 09:15:04  very-unhappy  flagged: too soon after another press",
            "2026-11-22 09:15:09  unhappy       accepted  (clock unsynchronized)",
        ])
    }
}

final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String] = []
    private var durations: [UInt64] = []
    func add(_ failure: String) { lock.withLock { failures.append(failure) } }
    func commit(_ durationNs: UInt64) { lock.withLock { durations.append(durationNs) } }
    var all: [String] { lock.withLock { failures } }
    var commits: [UInt64] { lock.withLock { durations } }
}

/// The follow loop in process, with inotify and with the polling fallback.
@Suite("tail's follow loop")
struct TailFollowerTests {
    final class Captured: Sendable {
        private let state = Observed((text: "", stopped: false))
        func append(_ more: String) { state.update { $0.text += more } }
        var lines: [String] { Self.lines(state.value.text) }
        func stop() { state.update { $0.stopped = true } }
        var isStopped: Bool { state.value.stopped }
        private static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

        /// Awaits `count` lines; false if they have not come within `bound` (a failure guard).
        func waitFor(count: Int, upTo bound: Duration = .seconds(30)) async -> Bool {
            await state.holds(within: bound) { Self.lines($0.text).count >= count }
        }
    }

    @Test("new rows are shown once each, in row order", arguments: [true, false])
    func follow(useInotify: Bool) async throws {
        let terminal = TestTerminal()
        try await terminal.store([sample("2026-11-22T09:00:00")])
        let reader = try StoreReader(path: terminal.database)
        let captured = Captured()
        var follower = TailFollower(reader: reader, survey: "checkout", format: .text, terminal: Terminal(colors: false),
                                    nameWidth: 12, output: { text in captured.append(text) })
        follower.useInotify = useInotify
        follower.pollingIntervalMs = 100
        let finished = DataBox()
        let running = follower
        let thread = Thread {
            try? running.run(initialLines: 5, stop: { captured.isStopped })
            finished.set(Data())
        }
        thread.start()
        try await terminal.store([sample("2026-11-22T10:00:00", button: 0), sample("2026-11-22T10:00:01", survey: "other"),
                                  sample("2026-11-22T10:00:02", button: 2)])
        _ = await captured.waitFor(count: 3)
        captured.stop()
        // Wake a waiting inotify loop so that it sees the stop.
        try await terminal.store([sample("2026-11-22T11:00:00", survey: "other")])
        #expect(await finished.value() != nil, "the follow loop did not stop")
        #expect(captured.lines.map { $0.prefix(33).trimmingCharacters(in: .whitespaces) } == [
            "2026-11-22 09:00:00  very-happy", "2026-11-22 10:00:00  very-unhappy", "2026-11-22 10:00:02  happy",
        ])
    }
}

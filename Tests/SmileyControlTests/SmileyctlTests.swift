import Foundation
import Testing
import SmileyCore
import SmileyStore
import SmileyTestSupport

/// A terminal's config and a database with a known day: 2026-11-22 in Helsinki, HappyOrNot's
/// worked example (very-happy 126, happy 60, unhappy 16, very-unhappy 17) plus flagged presses.
struct Fixture {
    let folder = TemporaryFolder()
    var config: String { folder.file("smiley.yaml") }
    var database: String { folder.file("smiley.sqlite") }
    static let noon: Int64 = 1_795_341_600_000 // 2026-11-22T10:00:00Z = 12:00 in Helsinki

    init(samples: [NewSample]) async throws {
        folder.write("smiley.yaml", keyboardTerminalYAML(terminal: "t1"))
        let pool = try SmileyDatabase.openForWriting(path: database)
        let writer = SampleWriter(pool: pool, path: database)
        let runner = Task { await writer.run() }
        for sample in samples { await writer.submit(.insert(sample)) }
        writer.close()
        await runner.value
    }

    static func sample(_ button: Int, at ms: Int64, misuse: MisuseReason? = nil) -> NewSample {
        NewSample(id: SampleID.make(unixMs: ms), terminal: "t1", site: "store-12", survey: "checkout", button: button, scale: 4,
                  buttonName: ["very-unhappy", "unhappy", "happy", "very-happy"][button], recordedAtMs: ms,
                  utcOffsetSeconds: 7200, bootID: "b", monotonicNs: 1, clockSynchronized: true, misuse: misuse)
    }

    /// The worked example spread over the day, flagged presses, and presses just outside the day.
    static func workedExample() -> [NewSample] {
        var samples: [NewSample] = []
        var t = noon - 3 * 3_600_000
        for (button, count) in [(3, 126), (2, 60), (1, 16), (0, 17)] {
            for _ in 0..<count { samples.append(sample(button, at: t)); t += 60_000 }
        }
        for _ in 0..<3 { samples.append(sample(0, at: t, misuse: .interval)); t += 1000 }
        for _ in 0..<2 { samples.append(sample(3, at: t, misuse: .simultaneous)); t += 1000 }
        // 2026-11-21T21:59:59.999Z is 23:59:59.999 on the 21st in Helsinki: the day before.
        samples.append(sample(0, at: 1_795_298_399_999))
        // 2026-11-21T22:00:00Z is midnight starting the 22nd: counts.
        samples.append(sample(3, at: 1_795_298_400_000))
        return samples
    }

    func smileyctl(_ arguments: [String], now: String = "2026-11-22T20:00:00+02:00", environment: [String: String] = [:]) async throws -> ProcessResult {
        var env = ["SMILEY_NOW": now, "NO_COLOR": ""]
        for (key, value) in environment { env[key] = value }
        return try await runProcessAsync(Binaries.smileyctl, arguments + ["--config", config], environment: env)
    }
}

@Suite("smileyctl", .serialized, .timeLimit(.minutes(2)))
struct SmileyctlTests {
    @Test("summary --format json: the documented shape, local-day boundaries, index 78.2 before the midnight press")
    func summaryJSON() async throws {
        let fixture = try await Fixture(samples: Fixture.workedExample())
        let result = try await fixture.smileyctl(["summary", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        // 126+1 very-happy (the midnight press belongs to the 22nd). The core issue's fields come
        // first and keep their names; later fields extend the object.
        #expect(result.stdout.hasPrefix("""
            {"day":"2026-11-22","timezone":"Europe/Helsinki","accepted":220,"misuse":{"interval":3,"simultaneous":2},"buttons":[
            """))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let buttons = try #require(json["buttons"] as? [[String: Any]])
        #expect(buttons.map { $0["index"] as? Int } == [0, 1, 2, 3])
        #expect(buttons.map { $0["name"] as? String } == ["very-unhappy", "unhappy", "happy", "very-happy"])
        #expect(buttons.map { $0["count"] as? Int } == [17, 16, 60, 127])
        #expect(json["satisfactionIndex"] as? Double == 78.3)
        #expect(json["includeMisuse"] as? Bool == false)
        #expect(json["counted"] as? Int == 220)
        #expect(json["held"] as? Int == 0)
    }

    @Test("--day and --include-misuse choose the day and whether flagged presses count")
    func dayAndMisuse() async throws {
        let fixture = try await Fixture(samples: Fixture.workedExample())
        let yesterday = try await fixture.smileyctl(["summary", "--format", "json", "--day", "yesterday"])
        #expect(yesterday.stdout.contains(#""day":"2026-11-21""#))
        #expect(yesterday.stdout.contains(#""accepted":1,"#))
        let explicit = try await fixture.smileyctl(["summary", "--format", "json", "--day", "2026-11-21"])
        #expect(explicit.stdout == yesterday.stdout)
        let all = try await fixture.smileyctl(["summary", "--format", "json", "--include-misuse"])
        #expect(all.stdout.contains(#"{"index":0,"name":"very-unhappy","count":20,"#))
        #expect(all.stdout.contains(#""counted":225"#))
    }

    @Test("the table for people: bars and the index, no colour codes when piped")
    func table() async throws {
        let fixture = try await Fixture(samples: Fixture.workedExample())
        let result = try await fixture.smileyctl(["summary"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Satisfaction index 78.3 / 100"))
        #expect(result.stdout.contains("from 220 accepted presses"))
        #expect(result.stdout.contains("█"))
        #expect(result.stdout.contains("3 too soon after another press, 2 simultaneous"))
        #expect(!result.stdout.contains("\u{1B}["))
    }

    @Test("a day with no presses has no index, rather than 0")
    func emptyDay() async throws {
        let fixture = try await Fixture(samples: Fixture.workedExample())
        let result = try await fixture.smileyctl(["summary", "--format", "json", "--day", "2026-01-01"])
        #expect(result.stdout.contains(#""satisfactionIndex":null"#))
        #expect(result.stdout.contains(#""accepted":0"#))
    }

    @Test("bad --day values are usage errors naming what is allowed", arguments: ["2026-02-30", "tomorrow", "22.11.2026", "'; DROP TABLE sample"])
    func badDay(value: String) async throws {
        let fixture = try await Fixture(samples: [])
        let result = try await fixture.smileyctl(["summary", "--day", value])
        #expect(result.status == 64)
        #expect(result.stderr.contains("today, yesterday or a date as YYYY-MM-DD"))
    }

    @Test("no database yet: exit 66 and what to do")
    func missingDatabase() async throws {
        let fixture = try await Fixture(samples: [])
        try FileManager.default.removeItem(atPath: fixture.database)
        let result = try await fixture.smileyctl(["status"])
        #expect(result.status == 66)
        #expect(result.stderr.contains(fixture.database))
        #expect(!FileManager.default.fileExists(atPath: fixture.database))
    }

    @Test("a bad config is exit 78 for smileyctl too")
    func badConfig() async throws {
        let fixture = try await Fixture(samples: [])
        fixture.folder.write("smiley.yaml", "buttons: 3\n")
        let result = try await fixture.smileyctl(["summary"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("buttons"))
    }

    @Test("status: today's presses, the last press, the database, and whether the daemon runs")
    func status() async throws {
        let fixture = try await Fixture(samples: Fixture.workedExample())
        let idle = try await fixture.smileyctl(["status", "--format", "json"])
        #expect(idle.status == 0)
        #expect(idle.stdout.contains(#""pressesToday":225,"acceptedToday":220,"misuseToday":{"interval":3,"simultaneous":2}"#))
        #expect(idle.stdout.contains(#""daemon":null"#))
        #expect(idle.stdout.contains(#""samples":226"#))

        // A live daemon's status file (this test process stands in for the daemon's pid).
        var daemon = DaemonStatus(pid: getpid(), version: "test", startedAtMs: Fixture.noon, input: "gpio",
                                  database: fixture.database, clockSynchronized: false)
        daemon.heldButtons = ["happy"]
        daemon.storeFailure = "disk full"
        daemon.checkpointFailure = "database or disk is full"
        try FileManager.default.createDirectory(atPath: fixture.folder.file("run"), withIntermediateDirectories: true)
        try JSONEncoder().encode(daemon).write(to: URL(fileURLWithPath: fixture.folder.file("run/status.json")))
        let live = try await fixture.smileyctl(["status"])
        #expect(live.stdout.contains("smileyd: running (pid \(getpid()), input gpio"))
        #expect(live.stdout.contains("STORE FAILING: disk full"))
        #expect(live.stdout.contains("WAL checkpoint failing (presses still commit; the log grows): database or disk is full"))
        #expect(live.stdout.contains("Held down now: happy"))
        #expect(live.stdout.contains("clock not synchronized"))
        #expect(live.stdout.contains("Today (2026-11-22, Europe/Helsinki): 225 presses, 220 accepted, 5 flagged"))
    }

    @Test("smileyctl never writes: the database file is unchanged after every read command")
    func readOnly() async throws {
        let fixture = try await Fixture(samples: Fixture.workedExample())
        let before = try Data(contentsOf: URL(fileURLWithPath: fixture.database))
        for command in [["status"], ["summary"], ["summary", "--format", "json"]] {
            #expect(try await fixture.smileyctl(command).status == 0)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.database)) == before)
    }
}

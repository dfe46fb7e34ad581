import Foundation
import SmileyCore
import SmileyStore
import Testing

/// `smileyctl summary`, run as a process on real SQLite files.
@Suite("smileyctl summary")
struct SummaryCommandTests {
    /// HappyOrNot's worked example spread over 10:00–15:00 on Sunday 2026-11-22, plus flagged presses.
    static func workedExampleDay() -> [NewSample] {
        var samples: [NewSample] = presses("2026-11-22", hour: 10, [5, 4, 15, 30])
        samples += presses("2026-11-22", hour: 12, [6, 6, 25, 60])
        samples += presses("2026-11-22", hour: 14, [6, 6, 20, 36])
        samples += presses("2026-11-22", hour: 18, [0, 0, 0, 3])
        samples += presses("2026-11-22", hour: 11, [3, 0, 0, 0], misuse: .interval)
        samples += presses("2026-11-22", hour: 11, [0, 0, 0, 2], misuse: .simultaneous)
        return samples
    }

    @Test("JSON: the core issue's fields keep their names; the added figures match the worked example")
    func jsonDay() async throws {
        let terminal = TestTerminal()
        try await terminal.store(Self.workedExampleDay())
        let result = try await terminal.run(["summary", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.object()
        // The first cut's fields, unchanged.
        #expect(json["day"] as? String == "2026-11-22")
        #expect(json["timezone"] as? String == "Europe/Helsinki")
        #expect(json.int("accepted") == 222)
        #expect(json.object("misuse")?.int("interval") == 3)
        #expect(json.object("misuse")?.int("simultaneous") == 2)
        let buttons = try #require(json.array("buttons"))
        #expect(buttons.map { $0["name"] as? String } == ["very-unhappy", "unhappy", "happy", "very-happy"])
        #expect(buttons.map { $0.int("index") } == [0, 1, 2, 3])
        #expect(buttons.map { $0.int("count") } == [17, 16, 60, 129])
        #expect(json["includeMisuse"] as? Bool == false)
        #expect(json.int("counted") == 222)
        #expect(json.int("held") == 0)
        // 17/16/60/129: index (16×33.3 + 60×66.7 + 129×100)/222 = 78.5; top-2 189/222; net (189 − 33)/222.
        #expect(json.double("satisfactionIndex") == 78.5)
        #expect(json.double("top2Share") == 85.1)
        #expect(json.double("netScore") == 70.3)
        #expect(buttons.map { $0.double("share") } == [7.7, 7.2, 27.0, 58.1])
        #expect(json.object("period")?["kind"] as? String == "day")
        #expect(json.int("minSamples") == 10)
        // Hour buckets: 24, the 18:00 hour has 3 presses, too few for an index.
        let buckets = try #require(json.array("buckets"))
        #expect(buckets.count == 24)
        #expect(buckets[18].int("counted") == 3)
        #expect(buckets[18].isNull("satisfactionIndex"))
        #expect(buckets[18]["belowMinimum"] as? Bool == true)
        #expect(buckets[12]["start"] as? String == "2026-11-22T12:00:00+02:00")
        #expect(json.object("busiestHour")?["label"] as? String == "12:00–13:00")
        #expect(json.object("busiestHour")?.int("counted") == 97)
        #expect(json.object("worstHour")?["label"] as? String == "14:00–15:00")
    }

    @Test("--include-misuse counts flagged presses in the figures, not in accepted")
    func includeMisuse() async throws {
        let terminal = TestTerminal()
        try await terminal.store(Self.workedExampleDay())
        let json = try await terminal.run(["summary", "--day", "2026-11-22", "--include-misuse", "--format", "json"]).object()
        #expect(json["includeMisuse"] as? Bool == true)
        #expect(json.int("counted") == 227)
        #expect(json.int("accepted") == 222)
        #expect(json.array("buttons")?.map { $0.int("count") } == [20, 16, 60, 131])
    }

    @Test("the minimum sample comes from report.min-samples")
    func minSamplesFromConfig() async throws {
        let terminal = TestTerminal(report: "  min-samples: 2\n")
        try await terminal.store(Self.workedExampleDay())
        let json = try await terminal.run(["summary", "--format", "json"]).object()
        #expect(json.int("minSamples") == 2)
        #expect(json.array("buckets")?[18].double("satisfactionIndex") == 100)
        let strict = TestTerminal(report: "  min-samples: 1000\n")
        try await strict.store(Self.workedExampleDay())
        let none = try await strict.run(["summary", "--format", "json"]).object()
        #expect(none.isNull("satisfactionIndex") && none.isNull("top2Share") && none.isNull("netScore"))
        #expect(none["belowMinimum"] as? Bool == true)
        #expect(none.int("counted") == 222)
        let table = try await strict.run(["summary"]).stdout
        #expect(table.contains("Only 222 accepted presses: fewer than 1000, so no index"))
    }

    @Test("comparison with the same weekday last week and the average of the previous four, with arrows")
    func comparisons() async throws {
        let terminal = TestTerminal()
        var samples = presses("2026-11-22", hour: 12, [0, 0, 10, 30])   // index 91.7, 40 presses
        samples += presses("2026-11-15", hour: 12, [0, 10, 10, 10])     // 30 presses, 66.7
        samples += presses("2026-11-08", hour: 12, [0, 0, 0, 10])
        samples += presses("2026-11-01", hour: 12, [10, 0, 0, 0])
        samples += presses("2026-11-21", hour: 12, [0, 0, 0, 50])       // Saturday: not compared
        try await terminal.store(samples)
        let json = try await terminal.run(["summary", "--format", "json"]).object()
        let comparisons = try #require(json.array("comparisons"))
        #expect(comparisons.count == 2)
        #expect(comparisons[0]["name"] as? String == "same weekday last week")
        #expect(comparisons[0]["periods"] as? [String] == ["2026-11-15"])
        #expect(comparisons[0].double("counted") == 30 && comparisons[0].double("countDifference") == 10)
        #expect(comparisons[0].double("indexDifference") == 25)
        #expect(comparisons[1]["periods"] as? [String] == ["2026-11-15", "2026-11-08", "2026-11-01", "2026-10-25"])
        #expect(comparisons[1].double("counted") == 12.5)
        #expect(comparisons[1].double("satisfactionIndex") == 60)
        let table = try await terminal.run(["summary"]).stdout
        #expect(table.contains("same weekday last week (2026-11-15)"))
        #expect(table.contains("↑ +10 (+33.3%)"))
        #expect(table.contains("↑ +25.0"))
        #expect(table.contains("average of the previous 4 Sundays"))
    }

    @Test("daylight saving: the spring day has 23 hours, the autumn day 25 with 03:00 twice")
    func daylightSaving() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-03-29", hour: 2, [0, 0, 0, 1]) + presses("2026-03-29", hour: 4, [0, 0, 0, 1], offset: 10800)
            + presses("2026-10-25", hour: 3, [0, 0, 0, 12], offset: 10800) + presses("2026-10-25", hour: 3, [12, 0, 0, 0]))
        let spring = try await terminal.run(["summary", "--day", "2026-03-29", "--format", "json"]).object()
        let springBuckets = try #require(spring.array("buckets"))
        #expect(springBuckets.count == 23)
        #expect(springBuckets.map { $0["label"] as? String }.contains("03:00") == false)
        #expect(spring.int("counted") == 2)
        let autumn = try await terminal.run(["summary", "--day", "2026-10-25", "--format", "json"]).object()
        let autumnBuckets = try #require(autumn.array("buckets"))
        #expect(autumnBuckets.count == 25)
        #expect(autumnBuckets[3]["label"] as? String == "03:00 +03:00" && autumnBuckets[3].double("satisfactionIndex") == 100)
        #expect(autumnBuckets[4]["label"] as? String == "03:00 +02:00" && autumnBuckets[4].double("satisfactionIndex") == 0)
        let table = try await terminal.run(["summary", "--day", "2026-10-25"]).stdout
        #expect(table.contains("This day has 25 hours (daylight saving)."))
    }

    @Test("a change of the terminal's zone: each press keeps the day and hour its clock showed")
    func zoneChange() async throws {
        let terminal = TestTerminal()
        // Until the 22nd the terminal ran on New York time; a press at 23:30 there is 06:30 on the
        // 23rd in Helsinki, but it was pressed on the 22nd.
        try await terminal.store([sample("2026-11-22T23:30:00", offset: -18000, button: 0)]
            + presses("2026-11-23", hour: 9, [0, 0, 0, 2]))
        let json = try await terminal.run(["summary", "--day", "2026-11-22", "--format", "json"]).object()
        #expect(json.int("counted") == 1)
        let labels = try #require(json.array("buckets")).filter { $0.int("counted") == 1 }.map { $0["label"] as? String }
        #expect(labels == ["23:00 -05:00"])
        let next = try await terminal.run(["summary", "--day", "2026-11-23", "--format", "json"]).object()
        #expect(next.int("counted") == 2)
    }

    @Test("weeks, months and ranges go day by day; busiest and worst day")
    func longerPeriods() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-16", hour: 10, [0, 0, 0, 20]) + presses("2026-11-18", hour: 17, [10, 5, 0, 0])
            + presses("2026-11-22", hour: 12, [0, 0, 30, 10]) + presses("2026-11-23", hour: 10, [50, 0, 0, 0]))
        let week = try await terminal.run(["summary", "--week", "--format", "json"]).object()
        #expect(week.isNull("day"))
        #expect(week.object("period")?["label"] as? String == "2026-W47")
        #expect(week["bucketUnit"] as? String == "day")
        #expect(week.array("buckets")?.count == 7)
        #expect(week.int("counted") == 75)
        #expect(week.array("hours")?.count == 24)
        #expect(week.object("busiestDay")?["label"] as? String == "Sunday 2026-11-22")
        #expect(week.object("worstDay")?["label"] as? String == "Wednesday 2026-11-18")
        #expect(week.array("comparisons")?.first?["name"] as? String == "last week")
        let named = try await terminal.run(["summary", "--week", "2026-W48", "--format", "json"]).object()
        #expect(named.int("counted") == 50)
        let month = try await terminal.run(["summary", "--month", "2026-11", "--format", "json"]).object()
        #expect(month.array("buckets")?.count == 30 && month.int("counted") == 125)
        let range = try await terminal.run(["summary", "--from", "2026-11-18", "--to", "2026-11-22", "--format", "json"]).object()
        #expect(range.object("period")?["kind"] as? String == "range")
        #expect(range.int("counted") == 55)
        #expect(range.array("comparisons")?.isEmpty == true)
    }

    @Test("--survey counts one survey only")
    func survey() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-22", hour: 10, [0, 0, 0, 12]) + presses("2026-11-22", hour: 11, [12, 0, 0, 0], survey: "toilets"))
        let all = try await terminal.run(["summary", "--format", "json"]).object()
        #expect(all.int("counted") == 24 && all.isNull("survey"))
        let toilets = try await terminal.run(["summary", "--survey", "toilets", "--format", "json"]).object()
        #expect(toilets.int("counted") == 12 && toilets["survey"] as? String == "toilets")
        #expect(toilets.double("satisfactionIndex") == 0)
        #expect(try await terminal.run(["summary", "--survey", "toilets"]).stdout.contains("store-12 · toilets · Sunday 2026-11-22"))
    }

    @Test("CSV: a header, the total, then one row per bucket; stable columns")
    func csv() async throws {
        let terminal = TestTerminal()
        try await terminal.store(Self.workedExampleDay())
        let result = try await terminal.run(["summary", "--format", "csv"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 26)
        #expect(lines[0] == "row,label,date,hour_start,counted,accepted,interval,simultaneous,held,satisfaction_index,"
            + "top2_share,net_score,button_very-unhappy,button_unhappy,button_happy,button_very-happy")
        #expect(lines[1] == "total,2026-11-22,,,222,222,3,2,0,78.5,85.1,70.3,17,16,60,129")
        #expect(lines[14] == "hour,12:00,2026-11-22,2026-11-22T12:00:00+02:00,97,97,0,0,0,81.1,87.6,75.3,6,6,25,60")
        #expect(lines[20] == "hour,18:00,2026-11-22,2026-11-22T18:00:00+02:00,3,3,0,0,0,,,,0,0,0,3")
    }

    @Test("the table: bars scaled to the terminal width, no colour codes when not a terminal")
    func table() async throws {
        let terminal = TestTerminal()
        try await terminal.store(Self.workedExampleDay())
        for width in [60, 100, 160] {
            let text = try await terminal.run(["summary"], environment: ["COLUMNS": "\(width)"]).stdout
            #expect(!text.contains("\u{1B}["))
            let lines = text.split(separator: "\n")
            let barLines = lines.filter { $0.contains("█") }
            #expect(barLines.count == 4 + 4)  // four buttons, four hours with counted presses
            #expect(barLines.allSatisfy { $0.count <= width }, "\(width): \(barLines.map(\.count).max() ?? 0)")
            // The busiest hour's bar fills the width.
            let busiest = try #require(lines.first { $0.hasPrefix("  12:00") })
            #expect(busiest.count == width, "\(busiest)")
            #expect(busiest.contains("█"))
        }
        let text = try await terminal.run(["summary"]).stdout
        #expect(text.contains("Satisfaction index 78.5 / 100 · top-2 85.1% · net +70.3 · from 222 accepted presses"))
        #expect(text.contains("Flagged and left out: 3 too soon after another press, 2 simultaneous"))
        #expect(text.contains("  18:00        3      –"))
        #expect(text.contains("fewer than 10 presses: counts but no index"))
        #expect(text.contains("Busiest hour: 12:00–13:00, 97 presses · worst hour: 14:00–15:00"))
    }

    @Test("bad periods are usage errors (64) that say what is allowed", arguments: [
        (["--day", "2026-02-30"], "--day must be today, yesterday or a date as YYYY-MM-DD; got \"2026-02-30\""),
        (["--week", "2025-W53"], "--week must be this, last or an ISO week as YYYY-Www"),
        (["--month", "2026-13"], "--month must be this, last or a month as YYYY-MM"),
        (["--day", "today", "--week", "this"], "give one period: --day, --week were given together"),
        (["--to", "2026-11-01"], "--to needs --from"),
        (["--from", "2026-11-22", "--to", "2026-11-01"], "--from 2026-11-22 is after --to 2026-11-01"),
        (["--from", "2024-01-01", "--to", "2026-01-01"], "at most 366 are allowed"),
        (["--format", "xml"], "xml"),
    ])
    func badPeriods(arguments: [String], message: String) async throws {
        let terminal = TestTerminal()
        try await terminal.store([])
        let result = try await terminal.run(["summary"] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("no database yet: status 66 and what to do")
    func noDatabase() async throws {
        let terminal = TestTerminal()
        let result = try await terminal.run(["summary"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("smileyd creates it on its first start"))
    }
}

/// smileyctl on a real pseudo-terminal (util-linux `script`), as staff see it over `ssh -t`.
@Suite("Colours on a terminal")
struct TerminalColourTests {
    func runOnTerminal(_ terminal: TestTerminal, _ command: String, environment: [String: String]) async throws -> String {
        var env = ["SMILEY_CONFIG": terminal.config, "SMILEY_NOW": "2026-11-22T20:00:00+02:00", "TERM": "xterm",
                   "COLUMNS": "", "NO_COLOR": ""]
        for (key, value) in environment { env[key] = value }
        // -e: the command's status; -q: no banner; the typescript goes nowhere.
        let result = try await runProcessAsync("/usr/bin/script", ["-qec", "\(Binaries.smileyctl) \(command)", "/dev/null"],
                                               environment: env)
        #expect(result.status == 0, "\(result.stdout)")
        return result.stdout
    }

    @Test("colours on a terminal; none with NO_COLOR; a TERM=dumb terminal gets none")
    func colours() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-22", hour: 12, [0, 1, 4, 10]) + presses("2026-11-22", hour: 13, [8, 2, 1, 0]))
        let coloured = try await runOnTerminal(terminal, "summary", environment: [:])
        #expect(coloured.contains("\u{1B}[32m"))   // green: a good hour, the happy buttons
        #expect(coloured.contains("\u{1B}[31m"))   // red: a poor hour, the unhappy buttons
        #expect(coloured.contains("\u{1B}[1m"))    // bold title
        let plain = try await runOnTerminal(terminal, "summary", environment: ["NO_COLOR": "1"])
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.contains("Satisfaction index"))
        let dumb = try await runOnTerminal(terminal, "summary", environment: ["TERM": "dumb"])
        #expect(!dumb.contains("\u{1B}["))
    }

    @Test("export shows its progress on stderr when stderr is a terminal")
    func exportProgress() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-22", hour: 12, [5, 5, 5, 5]))
        let output = try await runOnTerminal(terminal, "export --day 2026-11-22 > /dev/null", environment: [:])
        #expect(output.contains("exported 20 samples"), "\(output)")
    }
}

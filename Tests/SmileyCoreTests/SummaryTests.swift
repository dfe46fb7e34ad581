import Foundation
import Testing
@testable import SmileyCore

@Suite("Satisfaction index and day summaries")
struct SummaryTests {
    @Test("HappyOrNot's worked example: 126/60/16/17 → 78.23, shown 78.2")
    func fourButtons() throws {
        let index = try #require(SatisfactionIndex.compute(counts: [17, 16, 60, 126]))
        #expect(abs(index - 78.234) < 0.001)
        #expect(SatisfactionIndex.rounded(index) == 78.2)
    }

    @Test("five buttons 51, 23, 12, 2, 4 (best to worst) → 81.25")
    func fiveButtons() throws {
        let index = try #require(SatisfactionIndex.compute(counts: [4, 2, 12, 23, 51]))
        #expect(abs(index - 81.25) < 1e-9)
    }

    @Test("two buttons map onto 0 and 100; nothing pressed has no index")
    func edges() {
        #expect(SatisfactionIndex.compute(counts: [1, 3]) == 75)
        #expect(SatisfactionIndex.compute(counts: [0, 0, 0, 0]) == nil)
    }

    @Test("flagged presses are left out unless asked, and counted per reason")
    func misuseHandling() {
        var tally = Tally(buttons: 4)
        tally.add(button: 3, misuse: nil, count: 126)
        tally.add(button: 2, misuse: nil, count: 60)
        tally.add(button: 1, misuse: nil, count: 16)
        tally.add(button: 0, misuse: nil, count: 17)
        tally.add(button: 0, misuse: .interval, count: 3)
        tally.add(button: 3, misuse: .simultaneous, count: 2)
        let names = ["very-unhappy", "unhappy", "happy", "very-happy"]
        let plain = DaySummary(day: "2026-11-22", timezone: "Europe/Helsinki", names: names, tally: tally, includeMisuse: false)
        #expect(plain.accepted == 219)
        #expect(plain.misuse == [.interval: 3, .simultaneous: 2])
        #expect(plain.buttons.map(\.count) == [17, 16, 60, 126])
        #expect(plain.satisfactionIndex.map(SatisfactionIndex.rounded) == 78.2)
        let all = DaySummary(day: "2026-11-22", timezone: "Europe/Helsinki", names: names, tally: tally, includeMisuse: true)
        #expect(all.buttons.map(\.count) == [20, 16, 60, 128])
        #expect(all.accepted == 219)
        #expect(all.counted == 224)
    }
}

@Suite("Local days across daylight saving")
struct LocalDayTests {
    let helsinki = Zone(identifier: "Europe/Helsinki")!

    @Test("an ordinary day is 24 hours, from local midnight")
    func ordinary() {
        let range = LocalDay(year: 2026, month: 11, day: 22).interval(in: helsinki)
        #expect(range.upperBound - range.lowerBound == 24 * 3_600_000)
        // 2026-11-22T00:00:00+02:00
        #expect(range.lowerBound == 1_795_298_400_000)
    }

    @Test("spring forward: a 23-hour day; fall back: a 25-hour day", arguments: [
        (LocalDay(year: 2026, month: 3, day: 29), Int64(23)),
        (LocalDay(year: 2026, month: 10, day: 25), Int64(25)),
        (LocalDay(year: 2026, month: 3, day: 28), Int64(24)),
    ] as [(LocalDay, Int64)])
    func dstDays(day: LocalDay, hours: Int64) {
        let range = day.interval(in: helsinki)
        #expect(range.upperBound - range.lowerBound == hours * 3_600_000)
    }

    @Test("a press belongs to the local day of its instant")
    func containing() {
        // 2026-11-21T23:30:00Z is 01:30 on the 22nd in Helsinki.
        #expect(LocalDay(containing: 1_795_303_800_000, in: helsinki) == LocalDay(year: 2026, month: 11, day: 22))
        #expect(LocalDay(containing: 1_795_303_800_000, in: Zone(identifier: "UTC")!) == LocalDay(year: 2026, month: 11, day: 21))
    }

    @Test("parsing days", arguments: [("2026-11-22", true), ("2026-02-30", false), ("2026-1-2", false), ("yesterday", false), ("2026-11-22x", false)])
    func parsing(text: String, valid: Bool) {
        #expect((LocalDay(iso: text) != nil) == valid)
    }

    @Test("adding days crosses months and years")
    func adding() {
        #expect(LocalDay(year: 2026, month: 12, day: 31).adding(days: 1) == LocalDay(year: 2027, month: 1, day: 1))
        #expect(LocalDay(year: 2026, month: 3, day: 1).adding(days: -1) == LocalDay(year: 2026, month: 2, day: 28))
    }
}

@Suite("Wall time versus monotonic time")
struct ClockArithmeticTests {
    @Test("a record's wall time is moved by its monotonic distance to the sync point")
    func correction() {
        // Synced at mono 1000 s, wall 2026-11-22T10:00:00Z; a press 90 s earlier (mono 910 s).
        let wall = ClockArithmetic.corrected(recordMonotonicNs: 910_000_000_000, syncMonotonicNs: 1_000_000_000_000,
                                             syncWallMs: 1_795_341_600_000)
        #expect(wall == 1_795_341_600_000 - 90_000)
    }

    @Test("a replayed edge is placed relative to the trace's first edge")
    func replay() {
        #expect(ClockArithmetic.replayWallMs(edgeNs: 2_837_897_128, firstEdgeNs: 1_837_897_128, startWallMs: 5_000) == 6_000)
    }
}

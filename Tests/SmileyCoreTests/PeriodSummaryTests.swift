import Foundation
import Testing
@testable import SmileyCore

let fourNames = ["very-unhappy", "unhappy", "happy", "very-happy"]
let helsinkiZone = Zone(identifier: "Europe/Helsinki")!

func tally(_ counts: [Int], interval: [Int] = [], held: Int = 0) -> Tally {
    var tally = Tally(buttons: counts.count)
    for (button, count) in counts.enumerated() { tally.add(button: button, misuse: nil, count: count) }
    for (button, count) in interval.enumerated() { tally.add(button: button, misuse: .interval, count: count) }
    tally.held = held
    return tally
}

/// Hourly rows for `counts` (per button) at local `hour` of `day` with `offset`.
func rows(_ day: String, hour: Int, offset: Int = 7200, _ counts: [Int], misuse: MisuseReason? = nil) -> [HourlyCount] {
    let dayNumber = LocalDay(iso: day)!.dayNumber
    let slot = HourSlot(localHour: Int64(dayNumber) * 24 + Int64(hour), utcOffsetSeconds: offset)
    return counts.enumerated().compactMap { button, count in
        count == 0 ? nil : HourlyCount(slot: slot, button: button, misuse: misuse, count: count)
    }
}

@Suite("Figures: index, top-2, net score, minimum sample")
struct FiguresTests {
    @Test("HappyOrNot's worked example: index 78.2, top-2 84.9, net +69.9")
    func workedExample() throws {
        let f = Figures(tally: tally([17, 16, 60, 126]), includeMisuse: false, minSamples: 10)
        #expect(f.counted == 219)
        #expect(SatisfactionIndex.rounded(try #require(f.satisfactionIndex)) == 78.2)
        #expect(SatisfactionIndex.rounded(try #require(f.top2Share)) == 84.9)
        #expect(SatisfactionIndex.rounded(try #require(f.netScore)) == 69.9)
        #expect(SatisfactionIndex.rounded(f.shares[3]) == 57.5)
    }

    @Test("five buttons: the middle one is neither positive nor negative")
    func fiveButtons() throws {
        // best to worst 51, 23, 12, 2, 4 → index 81.25; top-2 = (51+23)/92; net = (74 − 6)/92.
        let f = Figures(tally: tally([4, 2, 12, 23, 51]), includeMisuse: false, minSamples: 10)
        #expect(abs(try #require(f.satisfactionIndex) - 81.25) < 1e-9)
        #expect(abs(try #require(f.top2Share) - 74.0 * 100 / 92) < 1e-9)
        #expect(abs(try #require(f.netScore) - 68.0 * 100 / 92) < 1e-9)
    }

    @Test("scales of 2 and 3: top-2 is the positive button")
    func smallScales() throws {
        let two = Figures(tally: tally([4, 16]), includeMisuse: false, minSamples: 1)
        #expect(two.top2Share == 80 && two.netScore == 60)
        let three = Figures(tally: tally([2, 5, 13]), includeMisuse: false, minSamples: 1)
        #expect(three.top2Share == 65 && three.netScore == 55 && three.satisfactionIndex == 77.5)
    }

    @Test("below the minimum sample: counts and shares, no scores", arguments: [
        (9, 10, false), (10, 10, true), (1, 1, true), (0, 10, false),
    ])
    func minimumSample(counted: Int, minimum: Int, hasIndex: Bool) {
        let f = Figures(tally: tally([0, 0, 0, counted]), includeMisuse: false, minSamples: minimum)
        #expect(f.counted == counted)
        #expect((f.satisfactionIndex != nil) == hasIndex)
        #expect((f.top2Share != nil) == hasIndex)
        #expect((f.netScore != nil) == hasIndex)
        #expect(f.belowMinimum == (counted > 0 && !hasIndex))
        #expect(f.shares[3] == (counted > 0 ? 100 : 0))
    }

    @Test("flagged presses count toward the minimum only when included")
    func flaggedAndMinimum() {
        let t = tally([0, 0, 0, 8], interval: [0, 0, 0, 4])
        #expect(Figures(tally: t, includeMisuse: false, minSamples: 10).satisfactionIndex == nil)
        #expect(Figures(tally: t, includeMisuse: true, minSamples: 10).satisfactionIndex == 100)
        #expect(Figures(tally: t, includeMisuse: false, minSamples: 10).misuse[.interval] == 4)
    }
}

@Suite("Building a period summary")
struct SummaryBuilderTests {
    func day(_ text: String) -> LocalDay { LocalDay(iso: text)! }

    @Test("a day: 24 hour buckets, the busiest and the worst hour, the minimum sample per hour")
    func dayBuckets() throws {
        let hourly = rows("2026-11-22", hour: 9, [0, 0, 2, 10])      // 12 presses, index 94.4
            + rows("2026-11-22", hour: 12, [5, 5, 10, 20])            // 40 presses, busiest, index 70.8
            + rows("2026-11-22", hour: 17, [6, 4, 2, 0])              // 12 presses, worst: index 22.2
            + rows("2026-11-22", hour: 20, [0, 0, 0, 3])              // 3 presses: below 10, no index
            + rows("2026-11-23", hour: 1, [9, 9, 9, 9])               // another day: ignored
        let s = SummaryBuilder.build(period: .day(day("2026-11-22")), zone: helsinkiZone, buttonNames: fourNames,
                                     survey: nil, includeMisuse: false, minSamples: 10, hourly: hourly, earlier: [])
        #expect(s.buckets.count == 24)
        #expect(s.total.counted == 67)
        #expect(s.buckets[12].figures.counted == 40)
        #expect(s.buckets[20].figures.counts == [0, 0, 0, 3])
        #expect(s.buckets[20].figures.satisfactionIndex == nil)
        #expect(s.buckets[20].figures.belowMinimum)
        #expect(s.busiestHour == Highlight(label: "12:00–13:00", counted: 40, satisfactionIndex: s.buckets[12].figures.satisfactionIndex))
        #expect(s.worstHour?.label == "17:00–18:00")
        #expect(SatisfactionIndex.rounded(try #require(s.worstHour?.satisfactionIndex)) == 22.2)
        #expect(s.hourProfile.isEmpty && s.busiestDay == nil)
        #expect(s.comparisons.isEmpty)
    }

    @Test("the autumn day has 25 hours: presses in the two 03:00 hours stay apart")
    func fallBackDay() {
        let hourly = rows("2026-10-25", hour: 3, offset: 10800, [0, 0, 0, 11])
            + rows("2026-10-25", hour: 3, offset: 7200, [11, 0, 0, 0])
        let s = SummaryBuilder.build(period: .day(day("2026-10-25")), zone: helsinkiZone, buttonNames: fourNames,
                                     survey: nil, includeMisuse: false, minSamples: 10, hourly: hourly, earlier: [])
        #expect(s.buckets.count == 25)
        #expect(s.buckets[3].label == "03:00 +03:00" && s.buckets[3].figures.satisfactionIndex == 100)
        #expect(s.buckets[4].label == "03:00 +02:00" && s.buckets[4].figures.satisfactionIndex == 0)
        #expect(s.buckets[5].label == "04:00")
        #expect(s.total.counted == 22)
    }

    @Test("the spring day has 23 hours and no 03:00")
    func springDay() {
        let s = SummaryBuilder.build(period: .day(day("2026-03-29")), zone: helsinkiZone, buttonNames: fourNames,
                                     survey: nil, includeMisuse: false, minSamples: 10,
                                     hourly: rows("2026-03-29", hour: 4, offset: 10800, [1, 1, 1, 1]), earlier: [])
        #expect(s.buckets.count == 23)
        #expect(!s.buckets.map(\.label).contains("03:00"))
        #expect(s.buckets[3].label == "04:00" && s.buckets[3].figures.counted == 4)
    }

    @Test("presses recorded under another zone keep their own local hour, labelled with their offset")
    func zoneChange() {
        // The terminal ran on London time (+00:00) in the morning, then was set to Helsinki.
        let hourly = rows("2026-11-22", hour: 9, offset: 0, [0, 0, 5, 5]) + rows("2026-11-22", hour: 15, [0, 0, 5, 5])
        let s = SummaryBuilder.build(period: .day(day("2026-11-22")), zone: helsinkiZone, buttonNames: fourNames,
                                     survey: nil, includeMisuse: false, minSamples: 10, hourly: hourly, earlier: [])
        #expect(s.total.counted == 20)
        let london = s.buckets.filter { $0.label == "09:00 +00:00" }
        #expect(london.count == 1 && london.first?.figures.counted == 10)
        #expect(s.buckets.count == 25)
        // 09:00 +00:00 is 11:00 in Helsinki: it sorts after Helsinki's 10:00 and before its 11:00.
        let labels = s.buckets.map(\.label)
        #expect(labels.firstIndex(of: "09:00 +00:00")! == labels.firstIndex(of: "10:00")! + 1)
    }

    @Test("a week: 7 day buckets, the hours of the day over the week, busiest and worst day")
    func week() throws {
        let hourly = rows("2026-11-16", hour: 10, [0, 0, 0, 20]) + rows("2026-11-18", hour: 10, [10, 5, 0, 0])
            + rows("2026-11-22", hour: 14, [0, 0, 30, 10]) + rows("2026-11-23", hour: 10, [50, 0, 0, 0])
        let s = SummaryBuilder.build(period: .week(ISOWeek(year: 2026, week: 47)), zone: helsinkiZone,
                                     buttonNames: fourNames, survey: nil, includeMisuse: false, minSamples: 10,
                                     hourly: hourly, earlier: [])
        #expect(s.buckets.map(\.label) == (16...22).map { "2026-11-\($0)" })
        #expect(s.total.counted == 75)
        #expect(s.hourProfile.count == 24)
        #expect(s.hourProfile[10].figures.counted == 35)
        #expect(abs(s.hourProfile[10].perDay - 5) < 1e-9)
        #expect(s.busiestDay?.label == "Sunday 2026-11-22" && s.busiestDay?.counted == 40)
        #expect(s.worstDay?.label == "Wednesday 2026-11-18")
        #expect(s.busiestHour?.label == "14:00–15:00")
    }

    @Test("comparisons: the same weekday last week and the average of the previous four")
    func comparisons() throws {
        let today = day("2026-11-22")
        let hourly = rows("2026-11-22", hour: 12, [0, 0, 10, 30])          // index 91.7, 40 presses
        let earlier: [(period: ReportPeriod, tally: Tally)] = [
            (.day(today.adding(days: -7)), tally([0, 10, 10, 10])),         // 30 presses, index 66.7
            (.day(today.adding(days: -14)), tally([0, 0, 0, 10])),
            (.day(today.adding(days: -21)), tally([10, 0, 0, 0])),
            (.day(today.adding(days: -28)), tally([0, 0, 0, 0])),
        ]
        let s = SummaryBuilder.build(period: .day(today), zone: helsinkiZone, buttonNames: fourNames, survey: nil,
                                     includeMisuse: false, minSamples: 10, hourly: hourly, earlier: earlier)
        #expect(s.comparisons.count == 2)
        let last = s.comparisons[0]
        #expect(last.kind == .previous && last.name == "same weekday last week")
        #expect(last.periods == [.day(day("2026-11-15"))])
        #expect(last.counted == 30 && last.countDifference == 10)
        #expect(SatisfactionIndex.rounded(try #require(last.countChangePercent)) == 33.3)
        #expect(last.indexDifference == 25.0)  // 91.7 − 66.7
        let average = s.comparisons[1]
        #expect(average.name == "average of the previous 4 Sundays")
        #expect(average.counted == 12.5)            // 50 presses over 4 days
        #expect(average.countDifference == 27.5)
        // Pooled: 10×0 + 10×33.3 + 10×66.7 + 20×100 over 50 = 60.0
        #expect(SatisfactionIndex.rounded(try #require(average.satisfactionIndex)) == 60.0)
        #expect(average.indexDifference == 31.7)
    }

    @Test("a comparison with too few presses then has no index difference; nothing then has no percentage")
    func comparisonMinimum() {
        let today = day("2026-11-22")
        let s = SummaryBuilder.build(period: .day(today), zone: helsinkiZone, buttonNames: fourNames, survey: nil,
                                     includeMisuse: false, minSamples: 10,
                                     hourly: rows("2026-11-22", hour: 12, [0, 0, 10, 30]),
                                     earlier: [(.day(today.adding(days: -7)), tally([0, 0, 0, 0]))])
        #expect(s.comparisons.count == 1)
        #expect(s.comparisons[0].satisfactionIndex == nil)
        #expect(s.comparisons[0].indexDifference == nil)
        #expect(s.comparisons[0].countChangePercent == nil)
        #expect(s.comparisons[0].countDifference == 40)
    }
}

import Foundation
import Testing
@testable import SmileyCore

@Suite("Civil calendar arithmetic")
struct CivilCalendarTests {
    @Test("day numbers and back", arguments: [
        (1970, 1, 1, 0), (1969, 12, 31, -1), (2000, 2, 29, 11016), (2026, 11, 22, 20779), (2100, 3, 1, 47541),
    ])
    func dayNumbers(year: Int, month: Int, day: Int, number: Int) {
        #expect(CivilCalendar.dayNumber(year: year, month: month, day: day) == number)
        let back = CivilCalendar.date(ofDayNumber: number)
        #expect(back.year == year && back.month == month && back.day == day)
    }

    @Test("every day of 1999...2031 round-trips through Foundation's calendar")
    func agreesWithFoundation() {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        var number = CivilCalendar.dayNumber(year: 1999, month: 1, day: 1)
        let end = CivilCalendar.dayNumber(year: 2031, month: 12, day: 31)
        while number <= end {
            let date = Date(timeIntervalSince1970: Double(number) * 86400)
            let c = utc.dateComponents([.year, .month, .day, .weekday], from: date)
            let mine = CivilCalendar.date(ofDayNumber: number)
            #expect(mine.year == c.year && mine.month == c.month && mine.day == c.day)
            // Foundation: 1 = Sunday; ISO: 7 = Sunday.
            #expect(CivilCalendar.isoWeekday(ofDayNumber: number) == ((c.weekday! + 5) % 7) + 1)
            number += 1
        }
    }

    @Test("floor division and modulo round towards minus infinity")
    func floorDivision() {
        #expect(CivilCalendar.floorDiv(-1, 24) == -1)
        #expect(CivilCalendar.floorDiv(23, 24) == 0)
        #expect(CivilCalendar.floorDiv(-24, 24) == -1)
        #expect(CivilCalendar.floorMod(-1, 7) == 6)
    }
}

@Suite("ISO weeks and months")
struct ISOWeekTests {
    @Test("the ISO week of a day", arguments: [
        ("2026-11-22", "2026-W47"),  // a Sunday: still week 47
        ("2026-11-23", "2026-W48"),  // Monday
        ("2021-01-03", "2020-W53"),  // early January in the previous year's week 53
        ("2024-12-30", "2025-W01"),  // late December in the next year's week 1
        ("2026-01-01", "2026-W01"),  // a Thursday: week 1
        ("2026-12-31", "2026-W53"),  // 2026 starts on a Thursday: 53 weeks
        ("2027-01-03", "2026-W53"),
        ("2027-01-04", "2027-W01"),
    ])
    func weekOfDay(day: String, week: String) throws {
        #expect(try #require(LocalDay(iso: day)).isoWeek.description == week)
    }

    @Test("a week runs Monday to Sunday", arguments: [
        ("2026-W47", "2026-11-16", "2026-11-22"), ("2026-W01", "2025-12-29", "2026-01-04"),
        ("2020-W53", "2020-12-28", "2021-01-03"), ("2026-W53", "2026-12-28", "2027-01-03"),
    ])
    func mondayToSunday(week: String, monday: String, sunday: String) throws {
        let parsed = try #require(ISOWeek(iso: week))
        #expect(parsed.monday.description == monday)
        #expect(parsed.sunday.description == sunday)
        #expect(parsed.monday.isoWeekday == 1)
        #expect(parsed.sunday.isoWeekday == 7)
    }

    @Test("weeks per year")
    func weeksPerYear() {
        #expect(ISOWeek.weeks(inYear: 2026) == 53)
        #expect(ISOWeek.weeks(inYear: 2025) == 52)
        #expect(ISOWeek.weeks(inYear: 2020) == 53)
        #expect(ISOWeek.weeks(inYear: 2015) == 53)
    }

    @Test("parsing weeks", arguments: [("2026-W47", true), ("2026-W53", true), ("2025-W53", false), ("2026-W00", false),
                                       ("2026-w47", false), ("2026W47", false), ("2026-W7", false), ("26-W47", false)])
    func parsingWeeks(text: String, valid: Bool) {
        #expect((ISOWeek(iso: text) != nil) == valid)
    }

    @Test("stepping weeks crosses years")
    func stepping() throws {
        let week = try #require(ISOWeek(iso: "2026-W01"))
        #expect(week.adding(weeks: -1).description == "2025-W52")
        #expect(try #require(ISOWeek(iso: "2026-W53")).adding(weeks: 1).description == "2027-W01")
    }

    @Test("months")
    func months() throws {
        #expect(try #require(YearMonth(iso: "2024-02")).lastDay.description == "2024-02-29")
        #expect(try #require(YearMonth(iso: "2026-02")).lastDay.description == "2026-02-28")
        #expect(YearMonth(year: 2026, month: 1).adding(months: -1).description == "2025-12")
        #expect(YearMonth(year: 2026, month: 3).adding(months: -14).description == "2025-01")
        #expect(YearMonth(iso: "2026-13") == nil)
        #expect(YearMonth(iso: "2026-1") == nil)
    }
}

@Suite("Report periods")
struct ReportPeriodTests {
    let today = LocalDay(year: 2026, month: 11, day: 22)

    @Test("period words")
    func words() {
        #expect(PeriodText.day("yesterday", today: today)?.description == "2026-11-21")
        #expect(PeriodText.week("this", today: today)?.description == "2026-W47")
        #expect(PeriodText.week("last", today: today)?.description == "2026-W46")
        #expect(PeriodText.month("last", today: today)?.description == "2026-10")
        #expect(PeriodText.day("tomorrow", today: today) == nil)
        #expect(PeriodText.week("2026-W47;rm", today: today) == nil)
    }

    @Test("days, buckets and the local range of each kind")
    func shapes() throws {
        let day = ReportPeriod.day(today)
        #expect(day.dayCount == 1)
        #expect(day.bucketUnit == .hour)
        #expect(day.localRangeMs == Int64(20779) * 86_400_000..<Int64(20780) * 86_400_000)
        let week = ReportPeriod.week(try #require(ISOWeek(iso: "2026-W47")))
        #expect(week.days.map(\.description).first == "2026-11-16")
        #expect(week.dayCount == 7)
        #expect(week.bucketUnit == .day)
        let month = ReportPeriod.month(YearMonth(year: 2026, month: 2))
        #expect(month.dayCount == 28)
        let range = ReportPeriod.range(from: LocalDay(year: 2026, month: 1, day: 1), to: LocalDay(year: 2026, month: 12, day: 31))
        #expect(range.dayCount == 365)
        #expect(range.label == "2026-01-01..2026-12-31")
    }

    @Test("comparisons look back the same weekday, week or month; a range has none")
    func earlier() throws {
        #expect(ReportPeriod.day(today).earlier(1) == .day(LocalDay(year: 2026, month: 11, day: 15)))
        #expect(ReportPeriod.day(today).earlier(4) == .day(LocalDay(year: 2026, month: 10, day: 25)))
        #expect(ReportPeriod.week(ISOWeek(year: 2026, week: 2)).earlier(3) == .week(ISOWeek(year: 2025, week: 51)))
        #expect(ReportPeriod.month(YearMonth(year: 2026, month: 2)).earlier(2) == .month(YearMonth(year: 2025, month: 12)))
        #expect(ReportPeriod.range(from: today, to: today.adding(days: 3)).earlier(1) == nil)
        #expect(ReportPeriod.day(today).comparisonNames(count: 4)?.average == "average of the previous 4 Sundays")
    }
}

@Suite("Hours of a local day")
struct HourSlotTests {
    let helsinki = Zone(identifier: "Europe/Helsinki")!

    @Test("an ordinary day has the 24 hours 00…23 at one offset")
    func ordinary() {
        let slots = LocalDay(year: 2026, month: 11, day: 22).hourSlots(in: helsinki)
        #expect(slots.count == 24)
        #expect(slots.map(\.hourOfDay) == Array(0..<24))
        #expect(Set(slots.map(\.utcOffsetSeconds)) == [7200])
        #expect(slots.first?.isoStart == "2026-11-22T00:00:00+02:00")
    }

    @Test("spring forward: 23 hours, 03:00 does not exist")
    func springForward() {
        let slots = LocalDay(year: 2026, month: 3, day: 29).hourSlots(in: helsinki)
        #expect(slots.count == 23)
        #expect(!slots.map(\.hourOfDay).contains(3))
        #expect(slots[2].utcOffsetSeconds == 7200)
        #expect(slots[3].hourOfDay == 4 && slots[3].utcOffsetSeconds == 10800)
    }

    @Test("fall back: 25 hours, 03:00 twice with two offsets, in the order they happen")
    func fallBack() {
        let slots = LocalDay(year: 2026, month: 10, day: 25).hourSlots(in: helsinki)
        #expect(slots.count == 25)
        #expect(slots[3] == HourSlot(localHour: slots[3].localHour, utcOffsetSeconds: 10800))
        #expect(slots[4].hourOfDay == 3 && slots[4].utcOffsetSeconds == 7200)
        #expect(slots[3].utcStartMs + 3_600_000 == slots[4].utcStartMs)
    }

    @Test("half-hour zones and zones west of UTC keep local hours")
    func otherZones() {
        let kolkata = LocalDay(year: 2026, month: 11, day: 22).hourSlots(in: Zone(identifier: "Asia/Kolkata")!)
        #expect(kolkata.count == 24 && kolkata.first?.isoStart == "2026-11-22T00:00:00+05:30")
        let newYork = LocalDay(year: 2026, month: 3, day: 8).hourSlots(in: Zone(identifier: "America/New_York")!)
        #expect(newYork.count == 23 && !newYork.map(\.hourOfDay).contains(2))
    }

    @Test("a sample's slot comes from its own offset")
    func sampleSlot() {
        // 2026-11-22T07:15:00Z at +02:00 is 09:15 local.
        let slot = HourSlot(recordedAtMs: 1_795_331_700_000, utcOffsetSeconds: 7200)
        #expect(slot.day.description == "2026-11-22")
        #expect(slot.hourOfDay == 9)
        #expect(slot.utcStartMs == 1_795_330_800_000)
    }
}

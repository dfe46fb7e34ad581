import Foundation
import Testing
import SmileyTestSupport
#if canImport(Glibc)
import Glibc
#endif
@testable import SmileyCore

@Suite("Time zones from the system's tz database")
struct ZoneTests {
    @Test("Helsinki is +02:00 in winter and +03:00 in summer, switching at the right instants")
    func helsinki() throws {
        let zone = try #require(Zone(identifier: "Europe/Helsinki"))
        #expect(zone.secondsFromUTC(atMs: 1_795_341_600_000) == 7200)   // 2026-11-22
        #expect(zone.secondsFromUTC(atMs: 1_784_000_000_000) == 10800)  // 2026-07-14
        // 2026-03-29T01:00:00Z: clocks go from 03:00 to 04:00 local.
        #expect(zone.secondsFromUTC(atMs: 1_774_745_999_999) == 7200)
        #expect(zone.secondsFromUTC(atMs: 1_774_746_000_000) == 10800)
    }

    @Test("the C library's answer agrees with Foundation's over a year, hour by hour")
    func agreesWithFoundation() throws {
        for id in ["Europe/Helsinki", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"] {
            let zone = try #require(Zone(identifier: id))
            let foundation = try #require(TimeZone(identifier: id))
            var ms: Int64 = 1_767_225_600_000 // 2026-01-01
            while ms < 1_798_761_600_000 {
                #expect(zone.secondsFromUTC(atMs: ms) == foundation.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000)), "\(id) at \(ms)")
                ms += 3_600_000 * 7
            }
        }
    }

    @Test("UTC is known without a tz database (a minimal system, the test VM)")
    func utcWithoutDatabase() throws {
        let zone = try #require(Zone(identifier: "UTC", databaseDirectory: "/nonexistent"))
        #expect(zone.secondsFromUTC(atMs: 1_795_341_600_000) == 0)
        #expect(Zone(identifier: "Europe/Helsinki", databaseDirectory: "/nonexistent") == nil)
    }

    @Test("ids that are not zones are refused", arguments: ["Nowhere/City", "../../etc/passwd", "/etc/passwd", "", "Europe/../Europe/Helsinki", "zone.tab"])
    func refused(id: String) {
        #expect(Zone(identifier: id) == nil)
    }

    @Test("the system zone comes from TZ when it names a real zone, else falls back")
    func system() {
        #expect(Zone.system(environment: ["TZ": ":Asia/Tokyo"]).identifier == "Asia/Tokyo")
        #expect(Zone.system(environment: ["TZ": "Asia/Tokyo"]).identifier == "Asia/Tokyo")
        #expect(Zone(identifier: Zone.system(environment: ["TZ": "Not/AZone"]).identifier) != nil)
    }
}

/// The zone reader against the C library (the previous implementation) and Foundation, over every
/// zone of the system's database, and against damaged files.
@Suite("Zone rules read from TZif files")
struct ZoneRulesTests {
    /// Every zone the database names (zones and links).
    static let identifiers: [String] = Zone.knownIdentifiers().filter { !$0.hasPrefix("right/") && !$0.hasPrefix("posix/") }

    /// glibc's localtime_r with TZ set: what `Zone` answered before it read TZif itself.
    static func libcOffset(_ id: String, seconds: Int64) -> Int {
        var t = time_t(seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        return parts.tm_gmtoff
    }

    @Test("every zone agrees with the C library from 1900 to 2300, the footer rule included")
    func agreesWithLibc() throws {
        #expect(Self.identifiers.count > 300)
        let saved = getenv("TZ").map { String(cString: $0) }
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        var random = SplitMix64(seed: 0x20_2611_22)
        for id in Self.identifiers {
            let zone = try #require(Zone(identifier: id), "\(id)")
            setenv("TZ", ":" + id, 1)
            tzset()
            var instants: [Int64] = (0..<400).map { _ in Int64(random.next() % 12_623_040_000) - 2_208_988_800 }
            // Every 3 hours through 2026 and through 2045 (after the table of a slim file ends).
            for start in [Int64(1_767_225_600), 2_366_841_600] {
                instants += stride(from: start, to: start + 366 * 86_400, by: 3 * 3600).map { $0 }
            }
            var mismatches = 0
            for seconds in instants where zone.secondsFromUTC(atMs: seconds * 1000) != Self.libcOffset(id, seconds: seconds) {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("\(id) at \(seconds): \(zone.secondsFromUTC(atMs: seconds * 1000)) vs libc \(Self.libcOffset(id, seconds: seconds))")
                }
            }
        }
    }

    @Test("local days start where Foundation's calendar says, in every zone, DST nights included")
    func dayStartsAgreeWithFoundation() throws {
        var random = SplitMix64(seed: 0xDA75)
        var compared = 0, otherRelease = 0
        for id in Self.identifiers {
            let zone = try #require(Zone(identifier: id))
            guard let foundation = TimeZone(identifier: id) else { continue }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = foundation
            // Random days of 2000-2040, and the days around each 2026 transition.
            var days = (0..<40).map { _ in LocalDay(dayNumber: 10_957 + Int(random.next() % 14_610)) }
            var previous = zone.secondsFromUTC(atMs: 1_767_225_600_000)
            for hour in stride(from: Int64(1_767_225_600_000), to: 1_798_761_600_000, by: 3_600_000) {
                let offset = zone.secondsFromUTC(atMs: hour)
                if offset != previous {
                    let day = LocalDay(containing: hour, in: zone)
                    days += [day.adding(days: -1), day, day.adding(days: 1)]
                }
                previous = offset
            }
            for day in days {
                let noon = try #require(calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12)))
                let start = calendar.startOfDay(for: noon)
                // Foundation carries its own copy of the tz database (ICU's). Where its offsets that
                // day differ from the system's database (which Zone reads, checked against libc in
                // every zone above), it is another release (Debian's arm64 Foundation predates
                // Paraguay's 2024 change, say) and no oracle for where the day starts.
                guard foundation.secondsFromGMT(for: start) == zone.secondsFromUTC(atMs: Int64(start.timeIntervalSince1970) * 1000),
                      foundation.secondsFromGMT(for: noon) == zone.secondsFromUTC(atMs: Int64(noon.timeIntervalSince1970) * 1000) else {
                    otherRelease += 1
                    continue
                }
                compared += 1
                let expected = Int64((start.timeIntervalSince1970 * 1000).rounded())
                #expect(day.interval(in: zone).lowerBound == expected, "\(id) \(day)")
            }
        }
        #expect(compared > 20 * otherRelease, "compared \(compared) days; \(otherRelease) left out where Foundation's tz data differs")
    }

    @Test("damaged zone files are errors, never traps: every truncation and 5,000 mutations")
    func damagedFiles() throws {
        let path = Zone.databaseDirectory + "/Europe/Helsinki"
        let bytes = try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) })
        let zone = try Zone(identifier: "Europe/Helsinki", tzif: bytes)
        #expect(zone.secondsFromUTC(atMs: 1_784_000_000_000) == 10800)
        for length in 0..<bytes.count - 1 {
            #expect(throws: TZifError.self, "\(length) bytes") {
                try Zone(identifier: "x", tzif: Array(bytes.prefix(length)))
            }
        }
        var random = SplitMix64(seed: 0x7215)
        for _ in 0..<5000 {
            var damaged = bytes
            for _ in 0..<(1 + random.next() % 4) {
                damaged[Int(random.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            if let zone = try? Zone(identifier: "x", tzif: damaged) {
                // Whatever a damaged file says, asking it is safe.
                for ms in [Int64.min / 2, -1, 0, 1_784_000_000_000, Int64.max / 2] { _ = zone.secondsFromUTC(atMs: ms) }
            }
        }
    }

    @Test("footer rules: southern hemisphere, negative and beyond-a-day rule times, permanent DST")
    func footerRules() throws {
        let sydney = try PosixTZRule(parsing: "AEST-10AEDT,M10.1.0,M4.1.0/3")
        #expect(sydney.offset(atSeconds: 1_784_000_000) == 36000)     // July: winter
        #expect(sydney.offset(atSeconds: 1_767_225_600) == 39600)     // January: summer
        let godthab = try PosixTZRule(parsing: "<-02>2<-01>,M3.5.0/-1,M10.5.0/0")
        #expect(godthab.offset(atSeconds: 1_784_000_000) == -3600)
        let permanent = try PosixTZRule(parsing: "EST5EDT,0/0,J365/25")
        #expect(permanent.offset(atSeconds: 1_767_225_600 + 86_400 * 40) == -14400)
        for bad in ["", "E", "EET-2EEST,M13.5.0", "EET-2EEST,M3.5.0/3", "EET-99", "<+05", "EET-2EEST,J0,J365"] {
            #expect(throws: TZifError.self, "\(bad)") { try PosixTZRule(parsing: bad) }
        }
    }

    @Test("the database's zone names are known, for suggestions")
    func knownIdentifiers() {
        let ids = Zone.knownIdentifiers()
        #expect(ids.contains("Europe/Helsinki") && ids.contains("UTC") && ids.contains("US/Eastern"))
        #expect(Zone.knownIdentifiers(databaseDirectory: "/nonexistent") == ["UTC"])
    }
}

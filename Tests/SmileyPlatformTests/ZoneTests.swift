import Foundation
import Testing
@testable import SmileyPlatform

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

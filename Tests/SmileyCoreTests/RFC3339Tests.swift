import Foundation
import Testing
import SmileyCore

@Suite("RFC 3339 instants")
struct RFC3339Tests {
    static let fixed: [Int64] = [0, -1, 951_782_400_000, 951_868_799_999, 4_107_542_399_999, -2_208_988_800_001, 1_795_338_902_123]

    @Test("written as Foundation's formatter writes them, before and after 1970, across leap days")
    func formatting() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2000).map { _ in Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator) }
        for ms in Self.fixed + random {
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
            #expect(RFC3339.string(ms: ms) == expected, "\(ms)")
        }
    }

    @Test("appended to a string (a log line) as to bytes (the wire)")
    func appendingToAString() {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<200).map { _ in Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator) }
        for ms in Self.fixed + random {
            var line = "at "
            RFC3339.append(ms: ms, to: &line)
            #expect(line == "at " + RFC3339.string(ms: ms))
        }
    }

    @Test("read back to the same millisecond")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2000).map { _ in Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator) }
        for ms in Self.fixed + random {
            #expect(RFC3339.ms(parsing: RFC3339.string(ms: ms)) == ms, "\(ms)")
        }
    }

    @Test("parsed with offsets, short and long fractions; impossible dates and other shapes refused")
    func parsing() {
        #expect(RFC3339.ms(parsing: "2026-11-22T09:15:02.123Z") == 1_795_338_902_123)
        #expect(RFC3339.ms(parsing: "2026-11-22T11:15:02.123+02:00") == 1_795_338_902_123)
        #expect(RFC3339.ms(parsing: "2026-11-22T04:15:02.123-05:00") == 1_795_338_902_123)
        #expect(RFC3339.ms(parsing: "2026-11-22t09:15:02.123z") == 1_795_338_902_123)
        #expect(RFC3339.ms(parsing: "2026-11-22T09:15:02Z") == 1_795_338_902_000)
        #expect(RFC3339.ms(parsing: "2026-11-22T09:15:02.1234567Z") == 1_795_338_902_123)
        #expect(RFC3339.ms(parsing: "2026-11-22T09:15:02.5Z") == 1_795_338_902_500)
        #expect(RFC3339.ms(parsing: "1969-12-31T23:59:59.999Z") == -1)
        #expect(RFC3339.ms(parsing: "2024-02-29T00:00:00Z") == 1_709_164_800_000)
        for bad in ["2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-22 09:15", "2026-11-22T25:00:00Z",
                    "2026-11-22T09:15:02.Z", "x", "2026-11-22T09:15:02", "2026-11-22T09:15:02+2:00", "2026-11-22T09:15:02Zjunk"] {
            #expect(RFC3339.ms(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("the UTC day of an instant")
    func day() {
        #expect(RFC3339.day(ofMs: 1_795_338_902_123 + 7200 * 1000) == "2026-11-22")
        #expect(RFC3339.day(ofMs: -1) == "1969-12-31")
        #expect(RFC3339.day(ofMs: 0) == "1970-01-01")
        #expect(RFC3339.day(ofMs: 951_868_799_999) == "2000-02-29")
    }
}

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

@Suite("Timestamps in exports")
struct TimestampTests {
    @Test("UTC and local wall time with the sample's own offset", arguments: [
        (Int64(1_795_331_702_123), 7200, "2026-11-22T07:15:02.123Z", "2026-11-22T09:15:02.123+02:00"),
        (Int64(1_795_331_702_003), -18000, "2026-11-22T07:15:02.003Z", "2026-11-22T02:15:02.003-05:00"),
        (Int64(1_795_331_702_000), 19800, "2026-11-22T07:15:02.000Z", "2026-11-22T12:45:02.000+05:30"),
        (Int64(1_798_761_599_999), 7200, "2026-12-31T23:59:59.999Z", "2027-01-01T01:59:59.999+02:00"),
        (Int64(0), -3600, "1970-01-01T00:00:00.000Z", "1969-12-31T23:00:00.000-01:00"),
    ])
    func formats(ms: Int64, offset: Int, utc: String, local: String) {
        #expect(RFC3339.string(ms: ms) == utc)
        #expect(RFC3339.string(ms: ms, offsetSeconds: offset) == local)
    }
}

@Suite("The one timestamp grammar")
struct TimestampGrammarTests {
    @Test("what each input accepted before is read the same", arguments: [
        // SMILEY_NOW, the wire (the old RFC3339 reader).
        ("2026-11-22T20:00:00+02:00", Int64(1_795_370_400_000)),
        ("2026-11-22 09:15:02.123Z", 1_795_338_902_123),
        // --replay-start (the old ISO8601DateFormatter).
        ("2026-11-22T09:00:00+02:00", 1_795_330_800_000),
        ("2026-11-22T07:00:00.250Z", 1_795_330_800_250),
        ("2026-11-22T12:30:00+05:30", 1_795_330_800_000),
    ])
    func accepted(text: String, ms: Int64) throws {
        #expect(try RFC3339.ms(reading: text) == ms)
    }

    @Test("a trace may leave out the offset (read as UTC); nothing else may")
    func offsetRule() throws {
        #expect(try RFC3339.instant(parsing: "2024-05-01T12:00:01.5", offset: .optionalUTC)
            == RFC3339.Instant(seconds: 1_714_564_801, nanoseconds: 500_000_000))
        #expect(throws: TimestampError.self) { try RFC3339.instant(parsing: "2024-05-01T12:00:01.5") }
    }

    @Test("nanoseconds are kept; digits after the ninth are dropped")
    func nanoseconds() throws {
        #expect(try RFC3339.instant(parsing: "1970-01-01T00:00:00.123456789123Z")
            == RFC3339.Instant(seconds: 0, nanoseconds: 123_456_789))
        #expect(try RFC3339.instant(parsing: "1969-12-31T23:59:59.5Z") == RFC3339.Instant(seconds: -1, nanoseconds: 500_000_000))
    }

    @Test("a refusal says what, where, and the grammar", arguments: [
        ("2026-13-01T00:00:00Z", 6, "month 13"),
        ("2026-02-29T00:00:00Z", 9, "2026-02 has days 01 to 28"),
        ("2026-11-22T24:00:00Z", 12, "hour 24"),
        ("2026-11-22T09:15:02", 20, "Z or an offset"),
        ("2026-11-22T09:15:02+2:00", 21, "offset's hours"),
        ("2026-11-22T09:15:02+24:00", 21, "offset hours 24"),
        ("2026-11-22T09:15:02.Z", 21, "digits after"),
        ("2026-11-22T09:15:02Zjunk", 21, "unexpected text"),
        ("26-11-22T09:15:02Z", 1, "4 digits of the year"),
        ("yesterday", 1, "4 digits of the year"),
    ])
    func refused(text: String, position: Int, says: String) {
        #expect {
            try RFC3339.ms(reading: text)
        } throws: { error in
            guard let error = error as? TimestampError else { return false }
            return error.position == position && error.description.contains(says)
                && error.description.contains(RFC3339.grammar) && error.description.contains(text)
        }
    }

    @Test("text longer than the grammar allows is refused without reading it all")
    func tooLong() {
        let text = "2026-11-22T09:15:02." + String(repeating: "1", count: 100_000) + "Z"
        #expect(RFC3339.ms(parsing: text) == nil)
    }

    @Test("local wall time for people, in a zone")
    func plainLocal() throws {
        let helsinki = try #require(Zone(identifier: "Europe/Helsinki"))
        #expect(RFC3339.plainLocal(ms: 1_795_338_902_123, zone: helsinki) == "2026-11-22 11:15:02")
        #expect(RFC3339.plainLocal(ms: 1_795_338_902_123, zone: helsinki, withDate: false) == "11:15:02")
        #expect(RFC3339.offsetText(-18000) == "-05:00" && RFC3339.offsetText(19800) == "+05:30")
    }
}

import Testing
import SmileyCore
@testable import SmileyInput

@Suite("Trace wall-clock timestamps are bounded, never a trap")
struct TraceTimestampBoundsTests {
    @Test("a libgpiod 2.x trace dated 2555 is a clear data error (exit 65), not an arithmetic overflow")
    func year2555() {
        let text = "2024-05-01T12:00:00Z\tfalling\tgpiochip0 5\n2555-01-01T00:00:00.000000001Z\trising\tgpiochip0 5\n"
        #expect {
            try GpiomonTrace(parsing: text, file: "future.txt")
        } throws: { error in
            guard let error = error as? InputError, case .malformedTrace(let file, 2, _, let expected) = error else { return false }
            let message = error.description
            return file == "future.txt" && error.exitCode == 65
                && expected.contains("1970-01-01T00:00:00Z to 2554-07-21T23:34:33.709551615Z")
                && message.contains("line 2")
        }
    }

    @Test("the last and first instants a trace's clock holds are read; one beyond is refused", arguments: [
        ("2554-07-21T23:34:33.709551615Z", UInt64.max as UInt64?),
        ("2554-07-21T23:34:33.709551616Z", nil),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999999999Z", nil),
        ("9999-12-31T23:59:59", nil),
        ("0000-01-01T00:00:00", nil),
    ])
    func bounds(stamp: String, ns: UInt64?) throws {
        let line = stamp + "\tfalling\tgpiochip0 5"
        if let ns {
            #expect(try GpiomonTrace(parsing: line).records.map(\.timestampNs) == [ns])
        } else {
            #expect(throws: InputError.self) { try GpiomonTrace(parsing: line) }
        }
    }

    @Test("a wall-clock timestamp that breaks the grammar says what and where")
    func badWallTimestamp() {
        #expect {
            try GpiomonTrace(parsing: "2024-02-30T12:00:00Z\tfalling\tgpiochip0 5\n")
        } throws: { error in
            guard case InputError.malformedTrace(_, 1, _, let expected) = error else { return false }
            return expected.contains("day 30") && expected.contains("2024-02 has days 01 to 29")
        }
    }
}

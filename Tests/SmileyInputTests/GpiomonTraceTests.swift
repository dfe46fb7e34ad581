import Testing
@testable import SmileyInput

@Suite("GpiomonTrace parsing")
struct GpiomonTraceTests {
    @Test("libgpiod 1.x lines, as gpiomon pads them")
    func libgpiod1Format() throws {
        let text = """
        event: FALLING EDGE offset: 5 timestamp: [       1.837897128]
        event:  RISING EDGE offset: 5 timestamp: [       1.901234567]
        event: FALLING EDGE offset: 13 timestamp: [12345678.000000001]
        """
        let trace = try GpiomonTrace(parsing: text, file: "t.txt")
        #expect(trace.records == [
            .init(lineNumber: 1, edge: .falling, offset: 5, timestampNs: 1_837_897_128),
            .init(lineNumber: 2, edge: .rising, offset: 5, timestampNs: 1_901_234_567),
            .init(lineNumber: 3, edge: .falling, offset: 13, timestampNs: 12_345_678_000_000_001),
        ])
        #expect(trace.file == "t.txt")
    }

    @Test("libgpiod 1.x: any run of blanks between fields")
    func libgpiod1Tolerance() throws {
        let record = try GpiomonTrace.parseLine("  event:\tFALLING   EDGE  offset:   7   timestamp:   [1.5]  ",
                                                lineNumber: 4)
        #expect(record == .init(lineNumber: 4, edge: .falling, offset: 7, timestampNs: 1_500_000_000))
    }

    @Test("libgpiod 2.x default format: chip and offset, quoted name, chip offset and name, unquoted")
    func libgpiod2Format() throws {
        let text = "1.837897128\tfalling\tgpiochip0 5\n"
            + "1.901234567\trising\t\"GPIO5\"\n"
            + "2.000000000\tfalling\tgpiochip4 17 \"GPIO17\"\n"
            + "2.5\trising\tGPIO17\n"
            + "3.000000001    falling    \"ID SD\"\n"
        let trace = try GpiomonTrace(parsing: text)
        #expect(trace.records == [
            .init(lineNumber: 1, edge: .falling, offset: 5, chip: "gpiochip0", timestampNs: 1_837_897_128),
            .init(lineNumber: 2, edge: .rising, lineName: "GPIO5", timestampNs: 1_901_234_567),
            .init(lineNumber: 3, edge: .falling, offset: 17, lineName: "GPIO17", chip: "gpiochip4",
                  timestampNs: 2_000_000_000),
            .init(lineNumber: 4, edge: .rising, lineName: "GPIO17", timestampNs: 2_500_000_000),
            .init(lineNumber: 5, edge: .falling, lineName: "ID SD", timestampNs: 3_000_000_001),
        ])
    }

    @Test("libgpiod 2.x with --utc / --localtime timestamps")
    func libgpiod2WallTimestamps() throws {
        let trace = try GpiomonTrace(parsing: """
        2024-05-01T12:00:00.123456789Z\tfalling\tgpiochip0 5
        2024-05-01T12:00:01.5\trising\tgpiochip0 5
        """)
        // 2024-05-01T00:00:00Z = 1714521600 s.
        let noon: UInt64 = 1_714_521_600 + 12 * 3600
        let expected: [UInt64] = [noon * 1_000_000_000 + 123_456_789, (noon + 1) * 1_000_000_000 + 500_000_000]
        #expect(trace.records.map(\.timestampNs) == expected)
    }

    @Test("timestamps are exact nanoseconds; short fractions scale up", arguments: [
        ("1.837897128", UInt64(1_837_897_128)),
        ("0.000000001", 1),
        ("1.5", 1_500_000_000),
        ("12.05", 12_050_000_000),
        ("7", 7_000_000_000),
        ("18446744073.709551615", UInt64.max),
        ("4294967296.999999999", 4_294_967_296_999_999_999),
    ])
    func exactTimestamps(text: String, ns: UInt64) {
        #expect(GpiomonTrace.parseTimestamp(text) == ns)
    }

    @Test("bad timestamps are refused", arguments: [
        "1.8378971280", "1.", ".5", "1.2.3", "18446744073.709551616", "99999999999999999999.0", "1e9", "-1.0", "",
    ])
    func badTimestamps(text: String) {
        #expect(GpiomonTrace.parseTimestamp(text) == nil)
    }

    @Test("blank lines, comments and the banner are skipped; line numbers count them")
    func skipsBlankAndComments() throws {
        let text = "# recorded at the shop\n\n   \nMonitoring line 'GPIO5'...\r\n"
            + "event: FALLING EDGE offset: 5 timestamp: [       1.837897128]\r\n  # end\n"
        let trace = try GpiomonTrace(parsing: text)
        #expect(trace.records == [.init(lineNumber: 5, edge: .falling, offset: 5, timestampNs: 1_837_897_128)])
    }

    @Test("a malformed line names the file, the line number, the content and a valid example")
    func malformedLine() {
        let text = """
        event: FALLING EDGE offset: 5 timestamp: [       1.837897128]

        event: FALLING EDGE offset: five timestamp: [       1.9]
        """
        #expect {
            try GpiomonTrace(parsing: text, file: "shop.txt")
        } throws: { error in
            guard case InputError.malformedTrace(let file, let lineNumber, let content, let expected) = error else {
                return false
            }
            let message = String(describing: error)
            return file == "shop.txt" && lineNumber == 3
                && content == "event: FALLING EDGE offset: five timestamp: [       1.9]"
                && expected.contains("event: FALLING EDGE offset: 5 timestamp: [       1.837897128]")
                && message.contains("shop.txt") && message.contains("line 3")
                && message.contains("offset: five") && (error as? InputError)?.exitCode == 65
        }
    }

    @Test("malformed lines of several kinds", arguments: [
        "hello world",
        "1.5\tpressed\tgpiochip0 5",
        "1.5\trising",
        "1.5\trising\t\"GPIO5",
        "event: FALLING EDGE offset: 5 timestamp: 1.8",
        "event: FALLING EDGE offset: 5 timestamp: [1.8] extra",
        "event: FALLING offset: 5 timestamp: [1.8]",
        "event: FALLING EDGE offset: -5 timestamp: [1.8]",
    ])
    func malformedKinds(line: String) {
        #expect(throws: InputError.self) {
            try GpiomonTrace(parsing: "# header\n" + line + "\n")
        }
        do {
            _ = try GpiomonTrace(parsing: "# header\n" + line + "\n")
        } catch {
            guard case .malformedTrace(_, let lineNumber, let content, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(lineNumber == 2)
            #expect(content == line)
        }
    }

    @Test("long malformed content is shortened to about 120 characters")
    func longContentTruncated() {
        let line = String(repeating: "x", count: 500)
        do {
            _ = try GpiomonTrace(parsing: line)
            Issue.record("should have thrown")
        } catch {
            guard case .malformedTrace(_, 1, let content, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(content.count <= 121)
            #expect(content.hasPrefix("xxxxxxxxxx"))
            #expect(String(describing: error).count < 500)
        }
    }

    @Test("a missing file is traceUnreadable, exit 66")
    func missingFile() {
        do {
            _ = try GpiomonTrace(contentsOf: "/nonexistent/smiley/trace.txt")
            Issue.record("should have thrown")
        } catch {
            guard case .traceUnreadable(let path, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == "/nonexistent/smiley/trace.txt")
            #expect(reason.contains("No such file"))
            #expect(error.exitCode == 66)
            #expect(error.description.contains("/nonexistent/smiley/trace.txt"))
        }
    }
}

import Foundation
import SmileyConfig
import Testing

let reportErrorCases: [ErrorCase] = [
    ErrorCase(label: "report: typo", yaml: twoButtons + "report:\n  min-sample: 5\n",
              keyPath: "report.min-sample", line: 7, column: 3,
              says: ["did you mean min-samples?", "allowed keys here: min-samples, directory, keep-days, closing-time"]),
    ErrorCase(label: "report: key at the top level", yaml: twoButtons + "keep-days: 30\n",
              keyPath: "keep-days", line: 6, column: 1, says: ["keep-days belongs in report:"]),
    ErrorCase(label: "report: min-samples 0", yaml: twoButtons + "report:\n  min-samples: 0\n",
              keyPath: "report.min-samples", line: 7, column: 16,
              says: ["0 is out of range; allowed: 1...100000 presses", "fewer presses show counts but no index"]),
    ErrorCase(label: "report: keep-days text", yaml: twoButtons + "report:\n  keep-days: forever\n",
              keyPath: "report.keep-days", line: 7, column: 14, says: ["got \"forever\"", "1...36500 days"]),
    ErrorCase(label: "report: closing-time 25:00", yaml: twoButtons + "report:\n  closing-time: \"25:00\"\n",
              keyPath: "report.closing-time", line: 7, column: 17,
              says: ["\"25:00\" is not a time", "HH:MM on the 24-hour clock"]),
    ErrorCase(label: "report: closing-time 9pm", yaml: twoButtons + "report:\n  closing-time: 9pm\n",
              keyPath: "report.closing-time", line: 7, column: 17, says: ["\"9pm\" is not a time"]),
    ErrorCase(label: "report: directory empty", yaml: twoButtons + "report:\n  directory: \" \"\n",
              keyPath: "report.directory", line: 7, column: 14, says: ["must not be empty"]),
    ErrorCase(label: "report: not a mapping", yaml: twoButtons + "report: 10\n",
              keyPath: "report", line: 6, column: 9, says: ["expected a mapping", "min-samples"]),
]

@Suite("The report: section")
struct ReportSectionTests {
    @Test(arguments: reportErrorCases)
    func invalid(_ errorCase: ErrorCase) throws {
        let error = try #require(parseError(errorCase.yaml), "expected an error")
        #expect(error.keyPath == errorCase.keyPath, "\(error)")
        #expect(error.line == errorCase.line, "\(error)")
        #expect(error.column == errorCase.column, "\(error)")
        for text in errorCase.says {
            #expect(error.message.contains(text), "\(error)")
        }
        #expect(error.exitCode == 78)
    }

    @Test("defaults when the section is absent")
    func defaults() throws {
        let report = try parse(twoButtons).report
        #expect(report == ReportSettings())
        #expect(report.minSamples == 10)
        #expect(report.directory == "/var/lib/smiley/reports")
        #expect(report.keepDays == 90)
        #expect(report.closingTime == ClockTime(hour: 0, minute: 0))
    }

    @Test("values are read; an unquoted 21:30 (a YAML 1.1 base-60 number) is read as the time written")
    func values() throws {
        let report = try parse(twoButtons + "report:\n  min-samples: 25\n  directory: ../reports\n  keep-days: 14\n  closing-time: 21:30\n").report
        #expect(report.minSamples == 25)
        #expect(report.directory == "/etc/reports")
        #expect(report.keepDays == 14)
        #expect(report.closingTime == ClockTime(hour: 21, minute: 30))
    }

    @Test("a partial section keeps the other defaults, and renders back to the same values")
    func partialAndRoundTrip() throws {
        let config = try parse(twoButtons + "report:\n  closing-time: \"7:05\"\n")
        #expect(config.report.closingTime == ClockTime(hour: 7, minute: 5))
        #expect(config.report.minSamples == 10)
        let text = config.rendered()
        #expect(text.contains("report:\n  min-samples: 10\n  directory: /var/lib/smiley/reports\n  keep-days: 90\n  closing-time: \"07:05\"\n"))
        #expect(try parse(text) == config)
    }

    @Test("clock times", arguments: [("00:00", true), ("23:59", true), ("7:05", true), ("24:00", false),
                                      ("12:60", false), ("12", false), ("12:5", false), ("-1:00", false), ("１２:００", false)])
    func clockTimes(text: String, valid: Bool) {
        #expect((ClockTime(parsing: text) != nil) == valid)
    }
}

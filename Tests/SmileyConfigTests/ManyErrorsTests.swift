import Foundation
import SmileyConfig
import SmileyTestSupport
import Testing

/// Every problem in a file is reported in one run, in file order, like a compiler.
@Suite struct ManyErrorsTests {
    static let threeMistakes = ConfigFixtures.threeMistakes

    @Test func threeIndependentMistakesAreAllReportedInOrder() throws {
        let error = try #require(parseError(Self.threeMistakes))
        #expect(error.diagnostics.map(\.keyPath) == ["retention-days", "timezone", "press.debounse-ms"])
        #expect(error.diagnostics.map(\.line) == [1, 2, 9])
        #expect(error.diagnostics.map(\.column) == [17, 11, 3])
        #expect(error.first == error.diagnostics[0])
        #expect(error.keyPath == "retention-days" && error.line == 1 && error.column == 17)
        #expect(error.message.contains("out of range"))
        #expect(!error.truncated)
        #expect(error.exitCode == 78)
        let lines = error.description.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(error)")
        #expect(lines[0].hasPrefix("\(testPath):1:17: retention-days: 0 is out of range"))
        #expect(lines[1].hasPrefix("\(testPath):2:11: timezone: unknown time zone \"Europe/Helsinky\""))
        #expect(lines[2].hasPrefix("\(testPath):9:3: press.debounse-ms: unknown key; did you mean debounce-ms?"))
    }

    @Test func mistakesInEveryButtonAreAllReported() throws {
        let error = try #require(parseError("""
            buttons:
              - name: very unhappy
                bias: pullup
              - name: happy
                line: gpiochip0:x
              - nmae: c
                line: GPIO7

            """))
        // A missing key is located at its button (2:5), before the button's name (2:11).
        #expect(error.diagnostics.map(\.keyPath) == [
            "buttons[0].line", "buttons[0].name", "buttons[0].bias", "buttons[1].line", "buttons[2].nmae",
            "buttons[2].name",
        ], "\(error)")
    }

    @Test func aRefusedValueCausesNoFollowOnErrors() throws {
        // A misspelt input would otherwise make the keyboard buttons' missing lines errors.
        let input = try #require(parseError("input: keybaord\nbuttons:\n  - name: a\n  - name: b\n"))
        #expect(input.diagnostics.map(\.keyPath) == ["input"], "\(input)")
        // A refused terminal is not replaced by an unfit host name.
        let terminal = try #require(parseError("terminal: \"\"\n" + twoButtons))
        #expect(terminal.diagnostics.map(\.keyPath) == ["terminal"], "\(terminal)")
        // A refused first retry wait is not compared with the longest.
        let retry = try #require(parseError(twoButtons + """
            upstream:
              url: https://c.example
              token-file: t
              retry-initial-ms: fast
              retry-max-ms: 100

            """))
        #expect(retry.diagnostics.map(\.keyPath) == ["upstream.retry-initial-ms"], "\(retry)")
        // A section that is not a mapping is refused once, its required keys are not asked for.
        let upstream = try #require(parseError(twoButtons + "upstream: https://c.example\n"))
        #expect(upstream.diagnostics.map(\.keyPath) == ["upstream"], "\(upstream)")
        // A refused replay file is not also missing.
        let replay = try #require(parseError("input: replay\nreplay:\n  file: \"\"\n" + twoButtons))
        #expect(replay.diagnostics.map(\.keyPath) == ["replay.file"], "\(replay)")
        #expect(replay.message.contains("must not be empty"))
    }

    @Test func aFileThatIsNotAMappingIsOneError() throws {
        let error = try #require(parseError("- a\n- b\n"))
        #expect(error.diagnostics.count == 1)
    }

    @Test func readingStopsAfterTheLimit() throws {
        let yaml = (1...80).map { "unknown-\($0): x\n" }.joined() + twoButtons
        let error = try #require(parseError(yaml))
        #expect(error.diagnostics.count == ConfigError.maximumDiagnostics)
        #expect(error.truncated)
        #expect(error.diagnostics.map(\.line) == (1...50).map { Optional($0) })
        let lines = error.description.split(separator: "\n")
        #expect(lines.count == ConfigError.maximumDiagnostics + 1)
        #expect(lines.last == "\(testPath): stopped after 50 errors; fix these and check again")
    }

    @Test func exactlyTheLimitIsNotTruncated() throws {
        let yaml = (1...50).map { "unknown-\($0): x\n" }.joined() + twoButtons
        let error = try #require(parseError(yaml))
        #expect(error.diagnostics.count == 50)
        #expect(!error.truncated)
    }

    @Test func diagnosticsAreSortedByPosition() {
        let late = ConfigDiagnostic(path: "s.yaml", line: 9, column: 1, keyPath: "b", message: "late")
        let early = ConfigDiagnostic(path: "s.yaml", line: 2, column: 5, keyPath: "a", message: "early")
        let sameLine = ConfigDiagnostic(path: "s.yaml", line: 2, column: 1, keyPath: "c", message: "first on line 2")
        let error = ConfigError(late, [early, sameLine])
        #expect(error.diagnostics == [sameLine, early, late])
        #expect(error.first == sameLine)
        #expect(error.description == "s.yaml:2:1: c: first on line 2\ns.yaml:2:5: a: early\ns.yaml:9:1: b: late")
    }
}

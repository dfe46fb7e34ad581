import Foundation
import SmileyConfig
import Testing

/// One invalid file and what its error must say.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    let label: String
    let yaml: String
    let keyPath: String
    let line: Int?
    let column: Int?
    /// Substrings the message must contain.
    let says: [String]
    /// Substrings the message must not contain.
    var doesNotSay: [String] = []
    var requireReplayFile = true

    var testDescription: String { label }
}

/// A button list whose second button is given by `second` (lines 4 and on); lines 1 to 3 are
/// `buttons:` and a first button `a` on GPIO5.
func buttons(second: String) -> String {
    """
    buttons:
      - name: a
        line: GPIO5
    \(second)

    """
}

let unknownKeyCases: [ErrorCase] = [
    ErrorCase(label: "typo in press", yaml: twoButtons + "press:\n  debounse-ms: 40\n",
              keyPath: "press.debounse-ms", line: 7, column: 3,
              says: ["unknown key; did you mean debounce-ms? allowed keys here: debounce-ms, response-interval-ms, "
                     + "simultaneous-ms, held-ms"]),
    ErrorCase(label: "typo at the top level", yaml: "sit: store-1\n" + twoButtons,
              keyPath: "sit", line: 1, column: 1, says: ["did you mean site?", "allowed keys here: terminal, site,"]),
    ErrorCase(label: "typo in a button", yaml: buttons(second: "  - nmae: b\n    line: GPIO6"),
              keyPath: "buttons[1].nmae", line: 4, column: 5,
              says: ["did you mean name?", "allowed keys here: name, line, active-low, bias"]),
    ErrorCase(label: "typo in replay", yaml: "replay:\n  fiel: t.txt\n" + twoButtons,
              keyPath: "replay.fiel", line: 2, column: 3, says: ["did you mean file?", "file, speed"]),
    ErrorCase(label: "underscore instead of dash", yaml: twoButtons + "press:\n  held_ms: 4000\n",
              keyPath: "press.held_ms", line: 7, column: 3, says: ["did you mean held-ms?"]),
    ErrorCase(label: "key of another section", yaml: twoButtons + "held-ms: 4000\n",
              keyPath: "held-ms", line: 6, column: 1, says: ["held-ms belongs in press:"]),
    ErrorCase(label: "unknown key, nothing close", yaml: "colour: red\n" + twoButtons,
              keyPath: "colour", line: 1, column: 1, says: ["unknown key; allowed keys here: terminal, site, survey"],
              doesNotSay: ["did you mean"]),
    ErrorCase(label: "key given twice", yaml: "site: a\nsite: b\n" + twoButtons,
              keyPath: "site", line: 2, column: 1, says: ["given twice", "first at line 1"]),
]

let typeAndRangeCases: [ErrorCase] = [
    ErrorCase(label: "text for a number", yaml: twoButtons + "press:\n  debounce-ms: fast\n",
              keyPath: "press.debounce-ms", line: 7, column: 16,
              says: ["expected a whole number of milliseconds, got \"fast\"", "allowed: 0...1000 milliseconds"]),
    ErrorCase(label: "fraction", yaml: twoButtons + "press:\n  held-ms: 3000.5\n",
              keyPath: "press.held-ms", line: 7, column: 12, says: ["3000.5 is not a whole number", "100...3600000"]),
    ErrorCase(label: "negative", yaml: twoButtons + "press:\n  debounce-ms: -5\n",
              keyPath: "press.debounce-ms", line: 7, column: 16, says: ["-5 is negative", "0...1000"]),
    ErrorCase(label: "below range", yaml: twoButtons + "press:\n  held-ms: 50\n",
              keyPath: "press.held-ms", line: 7, column: 12,
              says: ["50 is out of range; allowed: 100...3600000 milliseconds"]),
    ErrorCase(label: "above range", yaml: twoButtons + "press:\n  simultaneous-ms: 10001\n",
              keyPath: "press.simultaneous-ms", line: 7, column: 20,
              says: ["10001 is out of range", "0...10000", "0 = off"]),
    ErrorCase(label: "response interval above range", yaml: twoButtons + "press:\n  response-interval-ms: 3600001\n",
              keyPath: "press.response-interval-ms", line: 7, column: 25, says: ["out of range", "0...3600000"]),
    ErrorCase(label: "quoted number", yaml: twoButtons + "press:\n  debounce-ms: \"30\"\n",
              keyPath: "press.debounce-ms", line: 7, column: 16, says: ["quoted text \"30\"", "without quotes"]),
    ErrorCase(label: "list for a number", yaml: twoButtons + "press:\n  held-ms: [1]\n",
              keyPath: "press.held-ms", line: 7, column: 12, says: ["got a list"]),
    ErrorCase(label: "list for a section", yaml: twoButtons + "press: [30, 5000]\n",
              keyPath: "press", line: 6, column: 8, says: ["expected a mapping", "got a list"]),
    ErrorCase(label: "active-low maybe", yaml: buttons(second: "    active-low: maybe\n  - name: b\n    line: GPIO6"),
              keyPath: "buttons[0].active-low", line: 4, column: 17, says: ["expected true or false, got \"maybe\""]),
    ErrorCase(label: "bias misspelt", yaml: buttons(second: "    bias: pullup\n  - name: b\n    line: GPIO6"),
              keyPath: "buttons[0].bias", line: 4, column: 11,
              says: ["\"pullup\" is not allowed", "pull-up, pull-down, disabled, as-is", "did you mean pull-up?"]),
    ErrorCase(label: "input misspelt", yaml: "input: gpoi\n" + twoButtons,
              keyPath: "input", line: 1, column: 8, says: ["gpio, keyboard, replay", "did you mean gpio?"]),
    ErrorCase(label: "terminal is a list", yaml: "terminal: [a, b]\n" + twoButtons,
              keyPath: "terminal", line: 1, column: 11, says: ["got a list"]),
    ErrorCase(label: "terminal empty", yaml: "terminal: \"\"\n" + twoButtons,
              keyPath: "terminal", line: 1, column: 11, says: ["must not be empty"]),
    ErrorCase(label: "terminal too long", yaml: "terminal: \(String(repeating: "x", count: 65))\n" + twoButtons,
              keyPath: "terminal", line: 1, column: 11, says: ["65 characters long; at most 64 allowed"]),
    ErrorCase(label: "site with a control character", yaml: "site: \"a\\tb\"\n" + twoButtons,
              keyPath: "site", line: 1, column: 7, says: ["control character U+0009"]),
    ErrorCase(label: "survey empty", yaml: "survey: ''\n" + twoButtons,
              keyPath: "survey", line: 1, column: 9, says: ["must not be empty"]),
    ErrorCase(label: "unknown time zone", yaml: "timezone: Europe/Helsinky\n" + twoButtons,
              keyPath: "timezone", line: 1, column: 11,
              says: ["unknown time zone \"Europe/Helsinky\"", "IANA", "Europe/Helsinki"]),
    ErrorCase(label: "database empty", yaml: "database: \"\"\n" + twoButtons,
              keyPath: "database", line: 1, column: 11, says: ["must not be empty"]),
    ErrorCase(label: "runtime directory with tilde", yaml: "runtime-directory: ~/run\n" + twoButtons,
              keyPath: "runtime-directory", line: 1, column: 20, says: ["~ is not expanded"]),
    ErrorCase(label: "replay speed zero", yaml: "replay:\n  file: t.txt\n  speed: 0\n" + twoButtons,
              keyPath: "replay.speed", line: 3, column: 10, says: ["0 is not allowed", "number > 0", "max"]),
    ErrorCase(label: "replay speed text", yaml: "replay:\n  file: t.txt\n  speed: fast\n" + twoButtons,
              keyPath: "replay.speed", line: 3, column: 10, says: ["got \"fast\"", "max"]),
]

let buttonCases: [ErrorCase] = [
    ErrorCase(label: "buttons missing", yaml: "site: x\n",
              keyPath: "buttons", line: 1, column: 1, says: ["required", "2 to 5 are allowed"]),
    ErrorCase(label: "buttons null", yaml: "site: x\nbuttons:\n",
              keyPath: "buttons", line: 1, column: 1, says: ["required"]),
    ErrorCase(label: "no buttons", yaml: "buttons: []\n",
              keyPath: "buttons", line: 1, column: 10, says: ["0 buttons given; 2 to 5 are allowed"]),
    ErrorCase(label: "one button", yaml: "buttons:\n  - name: a\n    line: GPIO5\n",
              keyPath: "buttons", line: 2, column: 3, says: ["1 button given; 2 to 5 are allowed"]),
    ErrorCase(label: "six buttons",
              yaml: "buttons:\n" + (1...6).map { "  - {name: b\($0), line: \($0)}\n" }.joined(),
              keyPath: "buttons", line: 2, column: 3, says: ["6 buttons given; 2 to 5 are allowed"]),
    ErrorCase(label: "buttons as a mapping", yaml: "buttons:\n  a: GPIO5\n  b: GPIO6\n",
              keyPath: "buttons", line: 2, column: 3, says: ["expected a list", "got a mapping"]),
    ErrorCase(label: "button as text", yaml: "buttons:\n  - a\n  - b\n",
              keyPath: "buttons[0]", line: 2, column: 5, says: ["expected a mapping", "got \"a\""]),
    ErrorCase(label: "name missing", yaml: buttons(second: "  - line: GPIO6"),
              keyPath: "buttons[1].name", line: 4, column: 5, says: ["required", "needs a name"]),
    ErrorCase(label: "name empty", yaml: buttons(second: "  - name: ''\n    line: GPIO6"),
              keyPath: "buttons[1].name", line: 4, column: 11, says: ["must not be empty"]),
    ErrorCase(label: "name with a space", yaml: buttons(second: "  - name: very happy\n    line: GPIO6"),
              keyPath: "buttons[1].name", line: 4, column: 11,
              says: ["\"very happy\" contains \" \"", "letters, digits, - and _"]),
    ErrorCase(label: "name with a comma", yaml: buttons(second: "  - name: 'a,b'\n    line: GPIO6"),
              keyPath: "buttons[1].name", line: 4, column: 11, says: ["contains \",\""]),
    ErrorCase(label: "duplicate name", yaml: buttons(second: "  - name: A\n    line: GPIO6"),
              keyPath: "buttons[1].name", line: 4, column: 11,
              says: ["duplicate name \"A\"", "buttons[0] and buttons[1]", "unique"]),
    ErrorCase(label: "line missing for gpio", yaml: buttons(second: "  - name: b"),
              keyPath: "buttons[1].line", line: 4, column: 5,
              says: ["required", "button \"b\" has no line", "input gpio", "GPIO5"]),
    ErrorCase(label: "line missing for replay",
              yaml: "input: replay\nreplay:\n  file: t.txt\n" + buttons(second: "  - name: b"),
              keyPath: "buttons[1].line", line: 7, column: 5, says: ["button \"b\" has no line", "input replay"]),
    ErrorCase(label: "bad line", yaml: buttons(second: "  - name: b\n    line: gpiochip0:x"),
              keyPath: "buttons[1].line", line: 5, column: 11,
              says: ["\"gpiochip0:x\" is not a line", "gpiochip0:5"]),
    ErrorCase(label: "negative offset", yaml: buttons(second: "  - name: b\n    line: -3"),
              keyPath: "buttons[1].line", line: 5, column: 11, says: ["\"-3\" is not a line"]),
    ErrorCase(label: "duplicate line name", yaml: buttons(second: "  - name: b\n    line: GPIO5"),
              keyPath: "buttons[1].line", line: 5, column: 11,
              says: ["line GPIO5 is already used by buttons[0] (a)", "its own line"]),
    ErrorCase(label: "duplicate chip and offset",
              yaml: "buttons:\n  - name: a\n    line: gpiochip0:5\n  - name: b\n    line: gpiochip0:5\n",
              keyPath: "buttons[1].line", line: 5, column: 11, says: ["already used by buttons[0]"]),
    ErrorCase(label: "duplicate chip, once by path",
              yaml: "buttons:\n  - name: a\n    line: gpiochip0:5\n  - name: b\n    line: /dev/gpiochip0:5\n",
              keyPath: "buttons[1].line", line: 5, column: 11, says: ["already used by buttons[0]"]),
    ErrorCase(label: "same offset in a replayed trace",
              yaml: "input: replay\nreplay: {file: t.txt}\n" + buttons(second: "  - name: b\n    line: 5"),
              keyPath: "buttons[1].line", line: 7, column: 11, says: ["offset 5 in a replayed trace"]),
    ErrorCase(label: "replay without a file", yaml: "input: replay\n" + twoButtons,
              keyPath: "replay.file", line: 1, column: 8,
              says: ["required when input is replay", "--replay FILE"]),
    ErrorCase(label: "replay section without a file", yaml: "input: replay\nreplay:\n  speed: 2\n" + twoButtons,
              keyPath: "replay.file", line: 3, column: 3, says: ["required when input is replay", "--replay FILE"]),
]

let documentCases: [ErrorCase] = [
    ErrorCase(label: "empty file", yaml: "", keyPath: "", line: nil, column: nil, says: ["empty", "buttons"]),
    ErrorCase(label: "only comments", yaml: "# nothing yet\n", keyPath: "", line: nil, column: nil, says: ["empty"]),
    ErrorCase(label: "top level is a list", yaml: "- a\n- b\n", keyPath: "", line: 1, column: 1,
              says: ["the top level must be a mapping", "got a list"]),
    ErrorCase(label: "top level is text", yaml: "hello\n", keyPath: "", line: 1, column: 1,
              says: ["the top level must be a mapping", "got \"hello\""]),
    ErrorCase(label: "syntax: mapping value in a plain scalar", yaml: "terminal: a\nsite: b: c\n",
              keyPath: "", line: 2, column: 8, says: ["YAML syntax error", "mapping values are not allowed"]),
    ErrorCase(label: "syntax: tab indentation", yaml: "buttons:\n\t- name: a\n",
              keyPath: "", line: 2, column: 1, says: ["YAML syntax error"]),
    ErrorCase(label: "syntax: unclosed flow list", yaml: "site: x\nbuttons: [a, b\n",
              keyPath: "", line: 3, column: 1, says: ["YAML syntax error"]),
]

@Suite struct ErrorTests {
    @Test(arguments: unknownKeyCases + typeAndRangeCases + buttonCases + documentCases)
    func invalidFile(_ errorCase: ErrorCase) throws {
        let error = try #require(parseError(errorCase.yaml, requireReplayFile: errorCase.requireReplayFile),
                                 "expected an error")
        #expect(error.path == testPath)
        #expect(error.keyPath == errorCase.keyPath, "\(error)")
        #expect(error.line == errorCase.line, "\(error)")
        #expect(error.column == errorCase.column, "\(error)")
        for text in errorCase.says {
            #expect(error.message.contains(text), "\(error)")
        }
        for text in errorCase.doesNotSay {
            #expect(!error.message.contains(text), "\(error)")
        }
        #expect(error.exitCode == 78)
    }

    @Test func descriptionReadsLikeACompilerDiagnostic() throws {
        let error = try #require(parseError(twoButtons + "press:\n  debounse-ms: 40\n"))
        #expect(error.description == "/etc/smiley/smiley.yaml:7:3: press.debounse-ms: unknown key; "
            + "did you mean debounce-ms? allowed keys here: debounce-ms, response-interval-ms, simultaneous-ms, held-ms")
    }

    @Test func descriptionWithoutALocation() {
        let error = ConfigError(path: "smiley.yaml", message: "the file is empty")
        #expect(error.description == "smiley.yaml: the file is empty")
        let located = ConfigError(path: "smiley.yaml", line: 3, column: 1, keyPath: "site", message: "bad")
        #expect(located.description == "smiley.yaml:3:1: site: bad")
    }

    @Test("a bad value is quoted to at most 200 characters, with its length", arguments: [
        "site: \"\(String(repeating: "s", count: 4000))\\u0001\"\n",
        "database: \"~\(String(repeating: "d", count: 4000))\"\n",
        "press:\n  debounce-ms: \(String(repeating: "9", count: 4000))\n",
        "press:\n  debounce-ms: \"\(String(repeating: "x", count: 4000))\"\n",
        "input: \(String(repeating: "k", count: 4000))\n",
        "timezone: \(String(repeating: "Z", count: 4000))\n",
        "input: replay\nreplay:\n  file: t.txt\n  speed: \(String(repeating: "7", count: 3999))x\n",
    ])
    func longValuesCut(_ line: String) throws {
        let error = try #require(parseError(twoButtons + line))
        #expect(error.message.count < 700, "\(error.message.count) characters: \(error.message.prefix(300))")
        #expect(error.message.contains("(4001 characters)") || error.message.contains("(4000 characters)"),
                "\(error.message.prefix(300))")
    }

    @Test func hostNameUnfitForTerminalIdAsksForTerminal() throws {
        do {
            _ = try parse(twoButtons, hostName: String(repeating: "h", count: 80))
            Issue.record("expected an error")
        } catch {
            #expect(error.keyPath == "terminal")
            #expect(error.message.contains("host name"))
        }
    }
}

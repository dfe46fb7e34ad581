import Foundation
import SmileyConfig
import SmileyCore
import Testing

/// The example from the configuration reference, key for key.
let fullExample = """
    terminal: store-12-entrance        # id of this device; default: host name
    site: store-12                     # default: the terminal id
    survey: checkout-experience        # default: "default"
    timezone: Europe/Helsinki          # IANA id; default: the system's (TimeZone.current)
    database: /var/lib/smiley/smiley.sqlite   # default Configuration.defaultDatabase
    runtime-directory: /run/smiley     # default: $RUNTIME_DIRECTORY from the environment if set, else /run/smiley
    input: gpio                        # gpio | keyboard | replay ; default gpio
    replay:                            # optional; required when input is replay
      file: traces/morning.txt         # relative paths resolve against the config file's folder
      speed: max                       # a number > 0 (1 = real time) or "max" (stored as nil); default max
    buttons:                           # ordered from most negative to most positive, 2..5 of them
      - name: very-unhappy
        line: GPIO5                    # a line name, or chip:offset (gpiochip0:5, pinctrl-rp1:5), or a bare offset
        active-low: true               # default true
        bias: pull-up                  # pull-up | pull-down | disabled | as-is ; default pull-up
      - name: unhappy
        line: GPIO6
    press:                             # whole section optional, each key optional
      debounce-ms: 30                  # 0...1000
      response-interval-ms: 5000       # 0...3600000 (0 = off)
      simultaneous-ms: 150             # 0...10000 (0 = off)
      held-ms: 3000                    # 100...3600000

    """

@Suite struct ParsingTests {
    @Test func fullExampleParsesToItsValues() throws {
        let config = try parse(fullExample)
        let expected = Configuration(
            terminal: "store-12-entrance", site: "store-12", survey: "checkout-experience",
            zone: try #require(Zone(identifier: "Europe/Helsinki")),
            database: "/var/lib/smiley/smiley.sqlite", runtimeDirectory: "/run/smiley", input: .gpio,
            replay: ReplaySettings(file: "/etc/smiley/traces/morning.txt", speed: nil),
            buttons: [
                ButtonConfig(name: "very-unhappy", line: .name("GPIO5"), activeLow: true, bias: .pullUp),
                ButtonConfig(name: "unhappy", line: .name("GPIO6"), activeLow: true, bias: .pullUp),
            ],
            press: PressRules(debounceMs: 30, responseIntervalMs: 5000, simultaneousMs: 150, heldMs: 3000))
        #expect(config == expected)
        #expect(config.scale == 2)
    }

    @Test func absentKeysTakeTheirDefaults() throws {
        let config = try parse(twoButtons, environment: [:], hostName: "kiosk-7")
        #expect(config.terminal == "kiosk-7")
        #expect(config.site == "kiosk-7")
        #expect(config.survey == "default")
        #expect(config.zone == Zone.system(environment: [:]))
        #expect(config.database == Configuration.defaultDatabase)
        #expect(config.runtimeDirectory == Configuration.defaultRuntimeDirectory)
        #expect(config.input == .gpio)
        #expect(config.replay == nil)
        #expect(config.press == PressRules.default)
        #expect(config.buttons.map(\.activeLow) == [true, true])
        #expect(config.buttons.map(\.bias) == [.pullUp, .pullUp])
    }

    @Test func siteDefaultsToAGivenTerminal() throws {
        let config = try parse("terminal: door-1\n" + twoButtons)
        #expect(config.site == "door-1")
    }

    @Test func nullScalarsAndSectionsCountAsAbsent() throws {
        let config = try parse("""
            terminal: t1
            site:
            survey: ~
            timezone: null
            input:
            replay:
            press:

            """ + twoButtons)
        #expect(config.site == "t1")
        #expect(config.survey == "default")
        #expect(config.input == .gpio)
        #expect(config.replay == nil)
        #expect(config.press == PressRules.default)
    }

    @Test func pressKeysAreEachOptional() throws {
        let config = try parse(twoButtons + "press:\n  held-ms: 100\n  simultaneous-ms: 0\n")
        #expect(config.press == PressRules(debounceMs: 30, responseIntervalMs: 5000, simultaneousMs: 0, heldMs: 100))
    }

    @Test func runtimeDirectoryDefaultsToSystemdsChoice() throws {
        let single = try parse(twoButtons, environment: ["RUNTIME_DIRECTORY": "/run/smiley-test"])
        #expect(single.runtimeDirectory == "/run/smiley-test")
        let several = try parse(twoButtons, environment: ["RUNTIME_DIRECTORY": "/run/a:/run/b"])
        #expect(several.runtimeDirectory == "/run/a")
        let given = try parse("runtime-directory: /tmp/rt\n" + twoButtons, environment: ["RUNTIME_DIRECTORY": "/run/x"])
        #expect(given.runtimeDirectory == "/tmp/rt")
    }

    @Test(arguments: [
        ("GPIO5", LineSpec.name("GPIO5")),
        ("gpiochip0:5", .chipOffset(chip: "gpiochip0", offset: 5)),
        ("pinctrl-rp1:17", .chipOffset(chip: "pinctrl-rp1", offset: 17)),
        ("/dev/gpiochip4:3", .chipOffset(chip: "/dev/gpiochip4", offset: 3)),
        ("12", .offset(12)),
        ("\"12\"", .offset(12)),
    ])
    func lineForms(text: String, expected: LineSpec) throws {
        let config = try parse("""
            buttons:
              - name: a
                line: \(text)
              - name: b
                line: GPIO26

            """)
        #expect(config.buttons[0].line == expected)
    }

    @Test func buttonOptionsAndFiveButtons() throws {
        let config = try parse("""
            buttons:
              - {name: b1, line: GPIO5, active-low: false, bias: pull-down}
              - {name: b2, line: GPIO6, bias: disabled}
              - {name: b3, line: GPIO13, bias: as-is}
              - {name: B_4, line: GPIO19, active-low: no}
              - {name: b-5, line: GPIO26}

            """)
        #expect(config.scale == 5)
        #expect(config.buttons.map(\.name) == ["b1", "b2", "b3", "B_4", "b-5"])
        #expect(config.buttons.map(\.activeLow) == [false, true, true, false, true])
        #expect(config.buttons.map(\.bias) == [.pullDown, .disabled, .asIs, .pullUp, .pullUp])
    }

    @Test func keyboardInputNeedsNoLines() throws {
        let config = try parse("""
            input: keyboard
            buttons:
              - name: sad
              - name: meh
              - name: glad

            """)
        #expect(config.input == .keyboard)
        #expect(config.buttons.map(\.line) == [nil, nil, nil])
    }

    @Test func replayInput() throws {
        let config = try parse("""
            input: replay
            replay:
              file: /var/tmp/trace.txt
              speed: 2.5
            \(twoButtons)
            """)
        #expect(config.input == .replay)
        #expect(config.replay == ReplaySettings(file: "/var/tmp/trace.txt", speed: 2.5))
        let realTime = try parse("input: replay\nreplay: {file: t.txt, speed: 1}\n" + twoButtons)
        #expect(realTime.replay?.speed == 1)
    }

    @Test func replayFileMayComeFromTheCommandLine() throws {
        let bare = try parse("input: replay\n" + twoButtons, requireReplayFile: false)
        #expect(bare.replay == nil)
        let speedOnly = try parse("input: replay\nreplay:\n  speed: 4\n" + twoButtons, requireReplayFile: false)
        #expect(speedOnly.replay == ReplaySettings(file: "", speed: 4))
    }
}

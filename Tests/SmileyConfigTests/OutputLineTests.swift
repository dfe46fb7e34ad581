import Foundation
import SmileyConfig
import Testing

/// `ack-line` and `misuse-line`: optional LED outputs at the top level.
@Suite struct OutputLineTests {
    @Test func parsedInEverySpellingAndRenderedBack() throws {
        let yaml = twoButtons + "ack-line: GPIO26\nmisuse-line: pinctrl-rp1:16\n"
        let config = try parse(yaml)
        #expect(config.ackLine == .name("GPIO26"))
        #expect(config.misuseLine == .chipOffset(chip: "pinctrl-rp1", offset: 16))
        let text = config.rendered()
        #expect(text.contains("ack-line: GPIO26\nmisuse-line: pinctrl-rp1:16\npress:"))
        #expect(try parse(text) == config)
    }

    @Test func absentMeansNone() throws {
        let config = try parse(twoButtons)
        #expect(config.ackLine == nil && config.misuseLine == nil)
        #expect(!config.rendered().contains("ack-line"))
    }

    @Test func aBareOffsetRoundTrips() throws {
        let config = try parse(twoButtons + "ack-line: 26\n")
        #expect(config.ackLine == .offset(26))
        #expect(try parse(config.rendered()) == config)
    }

    @Test func aButtonsLineIsRefused() throws {
        let error = try #require(parseError(twoButtons + "ack-line: /dev/gpiochip0:5\nmisuse-line: GPIO5\n"))
        // /dev/gpiochip0:5 is not GPIO5 by spelling, but misuse-line: GPIO5 is the first button's line.
        #expect(error.keyPath == "misuse-line")
        #expect(error.description.contains("line GPIO5 is buttons[0]'s (unhappy) input; misuse-line needs a line of its own"))
        #expect(error.exitCode == 78)
    }

    @Test func theSameLineTwiceIsRefused() throws {
        let error = try #require(parseError(twoButtons + "ack-line: gpiochip0:26\nmisuse-line: /dev/gpiochip0:26\n"))
        #expect(error.keyPath == "misuse-line")
        #expect(error.description.contains("already the ack-line"))
    }

    @Test func notALine() throws {
        let error = try #require(parseError(twoButtons + "ack-line: \"gpiochip0:x\"\n"))
        #expect(error.keyPath == "ack-line")
        #expect(error.description.contains("is not a line; expected a line name (GPIO26)"))
        #expect(error.line == 6)
    }

    @Test func misplacedUnderPressGetsAHint() throws {
        let error = try #require(parseError(twoButtons + "press:\n  ack-line: GPIO26\n"))
        #expect(error.keyPath == "press.ack-line")
        #expect(error.description.contains("ack-line"))
    }
}

/// The configuration shipped beside the wiring diagram must stay valid and match it.
@Suite struct HardwareExampleTests {
    @Test func hardwareSmileyYamlMatchesTheWiring() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("hardware/smiley.yaml").path
        let config = try ConfigLoader.load(path: path, environment: [:], requireReplayFile: true)
        #expect(config.input == .gpio)
        #expect(config.buttons.map(\.line) == [.name("GPIO5"), .name("GPIO6"), .name("GPIO13"), .name("GPIO19")])
        #expect(config.buttons.allSatisfy { $0.activeLow && $0.bias == .pullUp })
        #expect(config.ackLine == .name("GPIO26"))
        #expect(config.misuseLine == .name("GPIO16"))
    }
}

import Foundation
import SmileyConfig
import SmileyCore
import Testing

@Suite struct RenderingTests {
    /// Files whose rendering must parse back to the same configuration.
    static let files: [String] = [
        fullExample,
        twoButtons,
        """
        terminal: "yes"
        site: "123"
        survey: 'a "quoted" #survey: with, punctuation'
        timezone: America/Argentina/Buenos_Aires
        database: "/data/with space/s.sqlite"
        input: keyboard
        buttons:
          - {name: ärtynyt, active-low: false, bias: as-is}
          - {name: "null"}
          - {name: "2024-01-01", bias: disabled}
          - {name: "true", bias: pull-down}

        """,
        """
        terminal: kassa-ä
        input: replay
        replay: {file: ../traces/t.txt, speed: 2.5}
        buttons:
          - {name: a, line: gpiochip0:5}
          - {name: b, line: /dev/gpiochip0:6}
          - {name: c, line: 7}
          - {name: d, line: "1:2"}
        press: {debounce-ms: 0, response-interval-ms: 0, simultaneous-ms: 0, held-ms: 100}

        """,
        """
        replay: {file: t.txt, speed: 0.001}
        \(twoButtons)
        """,
    ]

    @Test(arguments: files)
    func renderedTextParsesToTheSameConfiguration(yaml: String) throws {
        let config = try parse(yaml, path: "/srv/smiley/conf/smiley.yaml", hostName: "host-1")
        let text = config.rendered()
        let again = try parse(text, path: "/srv/smiley/conf/smiley.yaml", hostName: "other-host")
        #expect(again == config, "\(text)")
    }

    @Test func renderedShowsTheEffectiveValues() throws {
        let config = try parse(twoButtons, environment: ["RUNTIME_DIRECTORY": "/run/smiley"], hostName: "kiosk-7")
        let text = config.rendered()
        let zone = TimeZone.current.identifier
        #expect(text == """
            terminal: kiosk-7
            site: kiosk-7
            survey: default
            timezone: \(zone)
            database: /var/lib/smiley/smiley.sqlite
            runtime-directory: /run/smiley
            input: gpio
            buttons:
              - name: unhappy
                line: GPIO5
                active-low: true
                bias: pull-up
              - name: happy
                line: GPIO6
                active-low: true
                bias: pull-up
            press:
              debounce-ms: 30
              response-interval-ms: 5000
              simultaneous-ms: 150
              held-ms: 3000
            report:
              min-samples: 10
              directory: /var/lib/smiley/reports
              keep-days: 90
              closing-time: "00:00"
            retention-days: 400

            """)
    }

    @Test func replayWithoutFileRoundTripsWhenTheCommandLineGivesIt() throws {
        let config = try parse("input: replay\nreplay: {speed: 3}\n" + twoButtons, requireReplayFile: false)
        let text = config.rendered()
        #expect(text.contains("replay:\n  speed: 3.0\n"))
        #expect(try parse(text, requireReplayFile: false) == config)
    }

    @Test func maxSpeedRendersAsMax() throws {
        let config = try parse("replay: {file: /t.txt}\n" + twoButtons)
        #expect(config.rendered().contains("replay:\n  file: /t.txt\n  speed: max\n"))
    }
}

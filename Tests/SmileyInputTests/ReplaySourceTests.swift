import Foundation
import Synchronization
import SmileyConfig
import SmileyCore
import SmileyTestSupport
import Testing
@testable import SmileyInput

@Suite("ReplaySource", .timeLimit(.minutes(1)))
struct ReplaySourceTests {
    static let fourButtons = [
        ButtonConfig(name: "very-unhappy", line: .offset(5)),
        ButtonConfig(name: "unhappy", line: .chipOffset(chip: "gpiochip0", offset: 6)),
        ButtonConfig(name: "happy", line: .name("GPIO13")),
        ButtonConfig(name: "very-happy", line: .offset(19)),
    ]

    static func source(_ text: String, buttons: [ButtonConfig] = fourButtons, speed: Double? = nil) throws(InputError) -> ReplaySource {
        try ReplaySource(trace: GpiomonTrace(parsing: text, file: "trace.txt"), buttons: buttons, speed: speed,
                         startWallMs: 1_700_000_000_000, bootID: "replay-test")
    }

    static func collect(_ source: some EdgeSource) async throws -> [Edge] {
        var edges: [Edge] = []
        for try await edge in source.edges() { edges.append(edge) }
        return edges
    }

    @Test("an offset no button uses is refused, naming the line and the offsets in use")
    func unmatchedOffset() {
        var text = ""
        for n in 1...11 { text += "event: FALLING EDGE offset: 5 timestamp: [       \(n).000000000]\n" }
        text += "event: FALLING EDGE offset: 7 timestamp: [      12.000000000]\n"
        do {
            _ = try Self.source(text)
            Issue.record("should have thrown")
        } catch {
            guard case .unmatchedTraceLine(_, let lineNumber, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(lineNumber == 12)
            #expect(error.description.contains("line 12: offset 7 matches no configured button (buttons use offsets 5, 6, 13, 19)"))
            #expect(error.exitCode == 65)
        }
    }

    @Test("a name no button uses is refused")
    func unmatchedName() {
        #expect(throws: InputError.self) {
            try Self.source("1.0\tfalling\t\"BTN_X\"\n")
        }
    }

    @Test("active-low: the physical falling edge is the press; active-high: edges are as wired")
    func activeLowTranslation() throws {
        let buttons = [
            ButtonConfig(name: "low", line: .offset(5), activeLow: true),
            ButtonConfig(name: "high", line: .offset(6), activeLow: false, bias: .pullDown),
        ]
        let source = try Self.source("""
        event: FALLING EDGE offset: 5 timestamp: [       1.000000000]
        event:  RISING EDGE offset: 5 timestamp: [       1.100000000]
        event:  RISING EDGE offset: 6 timestamp: [       2.000000000]
        event: FALLING EDGE offset: 6 timestamp: [       2.100000000]
        """, buttons: buttons)
        #expect(source.plannedEdges == [
            Edge(button: 0, kind: .rising, timestampNs: 1_000_000_000),
            Edge(button: 0, kind: .falling, timestampNs: 1_100_000_000),
            Edge(button: 1, kind: .rising, timestampNs: 2_000_000_000),
            Edge(button: 1, kind: .falling, timestampNs: 2_100_000_000),
        ])
    }

    @Test("a button named GPIO17 matches offset 17; a trace naming GPIO17 matches a button at offset 17")
    func gpioNameMatchesOffset() throws {
        let byName = [ButtonConfig(name: "a", line: .offset(4)), ButtonConfig(name: "b", line: .name("GPIO17"))]
        let fromOffsets = try Self.source("event: FALLING EDGE offset: 17 timestamp: [1.0]\n", buttons: byName)
        #expect(fromOffsets.plannedEdges.map(\.button) == [1])

        let byOffset = [ButtonConfig(name: "a", line: .offset(4)), ButtonConfig(name: "b", line: .chipOffset(chip: "gpiochip0", offset: 17))]
        let fromNames = try Self.source("1.0\tfalling\t\"GPIO17\"\n2.0\trising\tGPIO4\n", buttons: byOffset)
        #expect(fromNames.plannedEdges.map(\.button) == [1, 0])
    }

    @Test("a line name matches a button configured with that name")
    func nameMatchesName() throws {
        let buttons = [ButtonConfig(name: "a", line: .name("BTN_A")), ButtonConfig(name: "b", line: .name("BTN_B"))]
        let source = try Self.source("1.0\tfalling\t\"BTN_B\"\n1.5\tfalling\tgpiochip1 3 \"BTN_A\"\n", buttons: buttons)
        #expect(source.plannedEdges.map(\.button) == [1, 0])
    }

    @Test("buttons on two chips at the same offset are told apart by the trace's chip")
    func chipDisambiguates() throws {
        let buttons = [ButtonConfig(name: "a", line: .chipOffset(chip: "gpiochip0", offset: 5)),
                       ButtonConfig(name: "b", line: .chipOffset(chip: "/dev/gpiochip1", offset: 5))]
        let source = try Self.source("1.0\tfalling\tgpiochip1 5\n2.0\tfalling\tgpiochip0 5\n", buttons: buttons)
        #expect(source.plannedEdges.map(\.button) == [1, 0])
    }

    @Test("time base and flags")
    func timeBase() throws {
        let source = try Self.source("event: FALLING EDGE offset: 5 timestamp: [      42.000000007]\n")
        #expect(source.timeBase == .replay(startWallMs: 1_700_000_000_000, firstEdgeNs: 42_000_000_007, bootID: "replay-test"))
        #expect(source.debounced == false)
        #expect(source.name == "replay trace.txt")
        #expect(ReplaySource.makeBootID().hasPrefix("replay-"))
        #expect(ReplaySource.makeBootID() != ReplaySource.makeBootID())
    }

    @Test("a timestamp more than 1 s back is refused; small disorder is sorted")
    func backwards() throws {
        do {
            _ = try Self.source("1.0\tfalling\tgpiochip0 5\n5.0\trising\tgpiochip0 5\n3.9\tfalling\tgpiochip0 6\n")
            Issue.record("should have thrown")
        } catch {
            guard case .traceTimestampWentBackwards(_, 3, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(error.description.contains("line 3"))
        }
        let source = try Self.source("1.0\tfalling\tgpiochip0 5\n2.0\trising\tgpiochip0 5\n1.5\tfalling\tgpiochip0 6\n")
        #expect(source.plannedEdges.map(\.timestampNs) == [1_000_000_000, 1_500_000_000, 2_000_000_000])
        #expect(source.plannedEdges.map(\.button) == [0, 1, 0])
    }

    @Test("empty traces and bad speeds are refused")
    func emptyAndSpeed() {
        #expect(throws: InputError.emptyTrace(file: "trace.txt")) { try Self.source("# nothing\n") }
        let line = "1.0\tfalling\tgpiochip0 5\n"
        #expect(throws: InputError.invalidReplaySpeed(0)) { try Self.source(line, speed: 0) }
        #expect(throws: InputError.self) { try Self.source(line, speed: -2) }
        #expect(throws: InputError.self) { try Self.source(line, speed: .infinity) }
        #expect(throws: InputError.self) { try Self.source(line, speed: .nan) }
    }

    @Test("as fast as possible: every edge, in order, then the stream finishes")
    func replayAll() async throws {
        var text = "# 100,000 edges\n"
        var expected: [Edge] = []
        for i in 0..<50_000 {
            let button = i % 4
            let offset = [5, 6, 13, 19][button]
            let t = UInt64(i) * 20_000_000
            text += "\(t / 1_000_000_000).\(String(format: "%09llu", t % 1_000_000_000))\tfalling\tgpiochip0 \(offset)\n"
            text += "\((t + 5_000_000) / 1_000_000_000).\(String(format: "%09llu", (t + 5_000_000) % 1_000_000_000))\trising\tgpiochip0 \(offset)\n"
            expected.append(Edge(button: button, kind: .rising, timestampNs: t))
            expected.append(Edge(button: button, kind: .falling, timestampNs: t + 5_000_000))
        }
        let source = try Self.source(text)
        let started = ContinuousClock.now
        let edges = try await Self.collect(source)
        #expect(edges.count == 100_000)
        #expect(edges == expected)
        // 1000 s of trace must not be paced.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("at speed 10, a trace spanning 1 s takes at least about 0.1 s")
    func pacedReplay() async throws {
        let source = try Self.source("""
        event: FALLING EDGE offset: 5 timestamp: [     100.000000000]
        event:  RISING EDGE offset: 5 timestamp: [     100.500000000]
        event: FALLING EDGE offset: 6 timestamp: [     101.000000000]
        """, speed: 10)
        let started = ContinuousClock.now
        let edges = try await Self.collect(source)
        let elapsed = ContinuousClock.now - started
        #expect(edges.count == 3)
        #expect(elapsed >= .milliseconds(95))
    }

    @Test("paced on its clock: each edge when the clock reaches (its time − the first's) / speed, none before")
    func pacedOnManualClock() async throws {
        var source = try Self.source("""
        event: FALLING EDGE offset: 5 timestamp: [     100.000000000]
        event:  RISING EDGE offset: 5 timestamp: [     100.500000000]
        event: FALLING EDGE offset: 6 timestamp: [     101.000000000]
        """, speed: 10)
        let clock = ManualClock()
        source.pacingClock = clock
        let paced = source
        let seen = Observed<[Edge]>([])
        let consumer = Task {
            for try await edge in paced.edges() { seen.update { $0.append(edge) } }
        }
        #expect(await seen.holds { $0.count == 1 })
        // The second edge, 0.5 s later in the trace, is due 50 ms after the first.
        await clock.waitUntilSleepers { $0 == [.milliseconds(50)] }
        clock.advance(by: .milliseconds(49))
        #expect(seen.value.count == 1)
        clock.advance(by: .milliseconds(1))
        #expect(await seen.holds { $0.count == 2 })
        // Scheduled from the first edge, not from the second: due at 100 ms.
        await clock.waitUntilSleepers { $0 == [.milliseconds(100)] }
        clock.advance(to: .milliseconds(100))
        try await consumer.value
        #expect(seen.value == source.plannedEdges)
    }

    @Test("cancelling the consumer stops a paced replay")
    func cancelPaced() async throws {
        let source = try Self.source("""
        event: FALLING EDGE offset: 5 timestamp: [       1.000000000]
        event:  RISING EDGE offset: 5 timestamp: [    1001.000000000]
        """, speed: 1)
        let started = ContinuousClock.now
        let seen = Observed(0)
        let task = Task {
            var count = 0
            for try await _ in source.edges() {
                count += 1
                seen.set(count)
            }
            return count
        }
        // Cancelled once the first edge is in (and the second is 1,000 s away).
        #expect(await seen.holds(within: .seconds(20)) { $0 > 0 })
        task.cancel()
        let count = try await task.value
        #expect(count == 1)
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("load reads a file; a missing one is traceUnreadable")
    func load() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("smiley-trace-\(UUID()).txt").path
        try "event: FALLING EDGE offset: 19 timestamp: [       1.837897128]\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try ReplaySource.load(path: path, buttons: Self.fourButtons, speed: nil, startWallMs: 0)
        #expect(source.plannedEdges == [Edge(button: 3, kind: .rising, timestampNs: 1_837_897_128)])
        if case .replay(_, _, let bootID) = source.timeBase {
            #expect(bootID.hasPrefix("replay-"))
        } else {
            Issue.record("expected a replay time base")
        }

        #expect(throws: InputError.self) {
            try ReplaySource.load(path: path + ".missing", buttons: Self.fourButtons, speed: nil, startWallMs: 0)
        }
    }
}

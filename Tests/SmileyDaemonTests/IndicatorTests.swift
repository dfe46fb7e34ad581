import Foundation
import Synchronization
import Testing
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyPlatform
import SmileyStore
@testable import SmileyDaemon

/// An indicator line that records what it is told, with when (monotonic ns), and checks that
/// every change happens after the press it acknowledges is in the database.
final class RecordingLine: IndicatorLine, Sendable {
    let description: String
    private let database: String
    private let events = Mutex<[(on: Bool, atNs: UInt64, rowsThen: Int)]>([])
    private let releasedFlag = Mutex(false)

    init(_ name: String, database: String) {
        description = name
        self.database = database
    }

    func set(_ on: Bool) throws(InputError) {
        let rows = (try? StoreReader(path: database).totals().samples) ?? -1
        events.withLock { $0.append((on, MonotonicClock.nowNs(), rows)) }
    }

    func release() { releasedFlag.withLock { $0 = true } }

    var changes: [(on: Bool, atNs: UInt64, rowsThen: Int)] { events.withLock { $0 } }
    var released: Bool { releasedFlag.withLock { $0 } }
}

@Suite("ack and misuse lines", .serialized)
struct IndicatorTests {
    @Test("the ack line lights for ~300 ms after an accepted press is committed; the misuse line after a flagged one")
    func pulsesAfterCommit() async throws {
        let folder = TemporaryFolder()
        let configuration = try loadConfig(folder, input: "keyboard", press: "  response-interval-ms: 60000\n")
        let ack = RecordingLine("ack-line", database: configuration.database)
        let misuse = RecordingLine("misuse-line", database: configuration.database)
        // Press happy, then very-happy 290 ms later (too soon: flagged interval), then linger
        // (2 s: both 300 ms pulses end inside it, however late a loaded machine commits).
        let source = ScriptedLiveSource(steps: [.init(afterMs: 10, button: 2, kind: .rising),
                                                .init(afterMs: 40, button: 2, kind: .falling),
                                                .init(afterMs: 250, button: 3, kind: .rising),
                                                .init(afterMs: 40, button: 3, kind: .falling)],
                                        lingerMs: 2000)
        try await Smileyd.run(configuration: configuration, source: source, logger: LogCapture().logger,
                              options: .init(shutdownSignals: [], ackLine: ack, misuseLine: misuse))

        let rows = try StoreReader(path: configuration.database).samples(afterRowID: 0)
        #expect(rows.map(\.misuse) == [nil, .interval])
        #expect(ack.changes.map(\.on) == [true, false])
        #expect(misuse.changes.map(\.on) == [true, false])
        // Lit only once the press was committed.
        #expect(ack.changes.first?.rowsThen ?? 0 >= 1)
        #expect(misuse.changes.first?.rowsThen ?? 0 >= 2)
        for line in [ack, misuse] {
            let changes = line.changes
            if changes.count == 2 {
                let widthMs = Double(changes[1].atNs - changes[0].atNs) / 1e6
                #expect(widthMs >= 290 && widthMs < 2000, "\(line.description) lit \(widthMs) ms")
            }
            #expect(line.released, "\(line.description) released at shutdown")
        }
    }

    @Test("a press during a pulse restarts it; shutdown turns the line off and releases it")
    func pulseRestartsAndShutdownReleases() async throws {
        let folder = TemporaryFolder()
        let configuration = try loadConfig(folder, input: "keyboard", press: "  response-interval-ms: 0\n  simultaneous-ms: 0\n")
        let ack = RecordingLine("ack-line", database: configuration.database)
        let source = ScriptedLiveSource(steps: [.init(afterMs: 10, button: 0, kind: .rising),
                                                .init(afterMs: 20, button: 0, kind: .falling),
                                                .init(afterMs: 1000, button: 1, kind: .rising),
                                                .init(afterMs: 20, button: 1, kind: .falling)],
                                        lingerMs: 1500)
        try await Smileyd.run(configuration: configuration, source: source, logger: LogCapture().logger,
                              options: .init(shutdownSignals: [], ackLine: ack, indicatorPulse: .seconds(5)))
        // Two presses a second apart (two commits), well inside a 5 s pulse however loaded the machine: on, on
        // again (timer restarted), and the daemon stopped 1.5 s later (the second commit has
        // happened; the indicator stops before the writer), before the second pulse ended:
        // released (which turns the line off) without a late "off".
        #expect(ack.changes.map(\.on) == [true, true])
        #expect(ack.released)
        #expect(try StoreReader(path: configuration.database).totals().samples == 2)
    }
}

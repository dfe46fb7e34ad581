import Foundation
import Synchronization
import Testing
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyPlatform
import SmileyStore
@testable import SmileyDaemon

/// An indicator line that records what it is told, with when (on the test's manual clock, or
/// monotonic ns), and checks that every change happens after the press it acknowledges is in the
/// database. A test awaits a number of changes instead of polling.
final class RecordingLine: IndicatorLine, Sendable {
    let description: String
    private let database: String
    private let clock: ManualClock?
    private let events = Mutex<[(on: Bool, atNs: UInt64, rowsThen: Int)]>([])
    private let waiters = Mutex<[(count: Int, continuation: CheckedContinuation<Void, Never>)]>([])
    private let releasedFlag = Mutex(false)

    init(_ name: String, database: String, clock: ManualClock? = nil) {
        description = name
        self.database = database
        self.clock = clock
    }

    func set(_ on: Bool) throws(InputError) {
        let rows = (try? StoreReader(path: database).totals().samples) ?? -1
        let at = clock.map { UInt64($0.elapsed.components.seconds) * 1_000_000_000 + UInt64($0.elapsed.components.attoseconds / 1_000_000_000) }
            ?? MonotonicClock.nowNs()
        let count = events.withLock { events in
            events.append((on, at, rows))
            return events.count
        }
        let due = waiters.withLock { waiters in
            let due = waiters.filter { $0.count <= count }
            waiters.removeAll { $0.count <= count }
            return due
        }
        for waiter in due { waiter.continuation.resume() }
    }

    /// Returns once the line has been set `count` times.
    func waitForChanges(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let reached = waiters.withLock { waiters -> Bool in
                if events.withLock({ $0.count }) >= count { return true }
                waiters.append((count, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
    }

    func release() { releasedFlag.withLock { $0 = true } }

    var changes: [(on: Bool, atNs: UInt64, rowsThen: Int)] { events.withLock { $0 } }
    var released: Bool { releasedFlag.withLock { $0 } }
}

@Suite("ack and misuse lines", .serialized, .timeLimit(.minutes(1)))
struct IndicatorTests {
    @Test("the ack line lights for 300 ms after an accepted press is committed; the misuse line after a flagged one")
    func pulsesAfterCommit() async throws {
        let folder = TemporaryFolder()
        let configuration = try loadConfig(folder, input: "keyboard", press: "  response-interval-ms: 60000\n")
        let clock = ManualClock()
        let ack = RecordingLine("ack-line", database: configuration.database, clock: clock)
        let misuse = RecordingLine("misuse-line", database: configuration.database, clock: clock)
        // Press happy, then very-happy 290 ms later (too soon: flagged interval). Once both lines are
        // lit, the pulses end on the test's clock: not at 299 ms, at 300 ms.
        let source = ScriptedLiveSource(steps: [.init(afterMs: 0, button: 2, kind: .rising),
                                                .init(afterMs: 0, button: 2, kind: .falling, happenedAfterPreviousMs: 40),
                                                .init(afterMs: 0, button: 3, kind: .rising, happenedAfterPreviousMs: 250),
                                                .init(afterMs: 0, button: 3, kind: .falling, happenedAfterPreviousMs: 40)],
                                        until: {
                                            await ack.waitForChanges(1)
                                            await misuse.waitForChanges(1)
                                            await clock.waitUntilSleepers { $0 == [.milliseconds(300), .milliseconds(300)] }
                                            clock.advance(by: .milliseconds(299))
                                            await clock.waitUntilSleepers { $0.count == 2 }  // nothing ended early
                                            clock.advance(by: .milliseconds(1))
                                            await ack.waitForChanges(2)
                                            await misuse.waitForChanges(2)
                                        })
        try await Smileyd.run(configuration: configuration, source: source, logger: LogCapture().logger,
                              options: .init(shutdownSignals: [], ackLine: ack, misuseLine: misuse, indicatorClock: clock))

        let rows = try StoreReader(path: configuration.database).samples(afterRowID: 0)
        #expect(rows.map(\.misuse) == [nil, .interval])
        #expect(ack.changes.map(\.on) == [true, false])
        #expect(misuse.changes.map(\.on) == [true, false])
        // Lit only once the press was committed.
        #expect(ack.changes.first?.rowsThen ?? 0 >= 1)
        #expect(misuse.changes.first?.rowsThen ?? 0 >= 2)
        for line in [ack, misuse] {
            let changes = line.changes
            #expect(changes.count == 2 && changes[1].atNs - changes[0].atNs == 300_000_000,
                    "\(line.description) lit for \(changes.map(\.atNs)) ns of the clock")
            #expect(line.released, "\(line.description) released at shutdown")
        }
    }

    @Test("a press during a pulse restarts it; shutdown turns the line off and releases it")
    func pulseRestartsAndShutdownReleases() async throws {
        let folder = TemporaryFolder()
        let configuration = try loadConfig(folder, input: "keyboard", press: "  response-interval-ms: 0\n  simultaneous-ms: 0\n")
        let clock = ManualClock()
        let ack = RecordingLine("ack-line", database: configuration.database, clock: clock)
        // The first press lights the line until 5 s; a second press a second later (on the clock)
        // restarts the pulse: the only timer left ends at 6 s. The daemon then stops before it ends.
        let source = ScriptedLiveSource(steps: [.init(afterMs: 0, button: 0, kind: .rising),
                                                .init(afterMs: 0, button: 0, kind: .falling, happenedAfterPreviousMs: 20),
                                                .init(afterMs: 0, button: 1, kind: .rising, happenedAfterPreviousMs: 1000,
                                                      awaiting: {
                                                          await ack.waitForChanges(1)
                                                          await clock.waitUntilSleepers { $0 == [.seconds(5)] }
                                                          clock.advance(by: .seconds(1))
                                                      }),
                                                .init(afterMs: 0, button: 1, kind: .falling, happenedAfterPreviousMs: 20)],
                                        until: {
                                            await ack.waitForChanges(2)
                                            await clock.waitUntilSleepers { $0 == [.seconds(6)] }
                                        })
        try await Smileyd.run(configuration: configuration, source: source, logger: LogCapture().logger,
                              options: .init(shutdownSignals: [], ackLine: ack, indicatorPulse: .seconds(5),
                                             indicatorClock: clock))
        // On, on again (timer restarted), and released at shutdown (which turns the line off)
        // without a late "off".
        #expect(ack.changes.map(\.on) == [true, true])
        #expect(ack.released)
        #expect(try StoreReader(path: configuration.database).totals().samples == 2)
    }
}

import Foundation
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyPlatform
import SmileyStore
import Synchronization
@_exported import SmileyTestSupport

/// A four-button config in `folder`; `press` overrides the press section.
func configText(input: String = "replay", press: String = "", extra: String = "") -> String {
    """
    terminal: test-terminal
    site: test-site
    survey: test-survey
    timezone: Europe/Helsinki
    database: smiley.sqlite
    runtime-directory: run
    input: \(input)
    buttons:
      - name: very-unhappy
        line: GPIO5
      - name: unhappy
        line: GPIO6
      - name: happy
        line: GPIO13
      - name: very-happy
        line: GPIO19
    \(press.isEmpty ? "" : "press:\n" + press)
    \(extra)
    """
}

func loadConfig(_ folder: TemporaryFolder, input: String = "replay", press: String = "") throws -> Configuration {
    let path = folder.write("smiley.yaml", configText(input: input, press: press))
    return try ConfigLoader.load(path: path, environment: [:], requireReplayFile: false)
}

/// A live source that plays scripted edges at real times: each step waits `afterMs`, then emits.
/// The gaps are the scenario's stimulus (a held button, a late release), not waits for a result:
/// the daemon times live edges with its real monotonic clock and its own timers.
struct ScriptedLiveSource: EdgeSource {
    struct Step: Sendable {
        var afterMs: Int
        var button: Int
        var kind: Edge.Kind
        /// When set, the edge happened this long after the previous edge (its timestamp), however
        /// late it is emitted: an edge delivered late, independent of how long the sleep took.
        var happenedAfterPreviousMs: Int?
        /// When set, the step first awaits this (an event the test is told about), then `afterMs` more.
        var awaiting: (@Sendable () async -> Void)?
    }

    /// When each edge was emitted, beside its timestamp (monotonic ns), for tests whose
    /// precondition is a delivery time the scheduler may not honour on a loaded machine.
    final class Emissions: Sendable {
        private let list = Mutex<[(timestampNs: UInt64, emittedNs: UInt64)]>([])
        func append(_ timestampNs: UInt64, _ emittedNs: UInt64) { list.withLock { $0.append((timestampNs, emittedNs)) } }
        var all: [(timestampNs: UInt64, emittedNs: UInt64)] { list.withLock { $0 } }
    }

    var name = "scripted"
    var debounced = true
    var timeBase: TimeBase { .live }
    var steps: [Step]
    /// When set, the stream stays open after the last step until this returns (an event the test
    /// awaits, such as the last press committed); else it ends after the last step.
    var until: (@Sendable () async -> Void)?
    var emissions = Emissions()

    func edges() -> AsyncThrowingStream<Edge, any Error> {
        let steps = self.steps
        let until = self.until
        let emissions = self.emissions
        return AsyncThrowingStream { continuation in
            let task = Task {
                var previousNs: UInt64?
                for step in steps {
                    if let awaiting = step.awaiting { await awaiting() }
                    try? await Task.sleep(for: .milliseconds(step.afterMs))
                    if Task.isCancelled { break }
                    let now = MonotonicClock.nowNs()
                    var timestamp = now
                    if let after = step.happenedAfterPreviousMs, let previous = previousNs {
                        timestamp = previous + UInt64(after) * 1_000_000
                    }
                    previousNs = timestamp
                    emissions.append(timestamp, now)
                    continuation.yield(Edge(button: step.button, kind: step.kind, timestampNs: timestamp))
                }
                if let until { await until() }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A settable flag shared with the daemon's injected environment, which a test can await.
final class Flag: Sendable {
    private let value: Observed<Bool>
    init(_ initial: Bool) { value = Observed(initial) }
    var get: Bool { value.value }
    func set(_ new: Bool) { value.set(new) }

    /// Awaits the flag being set; false if it is not within `bound` (a failure guard).
    @discardableResult
    func wait(upTo bound: Duration = .seconds(30)) async -> Bool {
        await value.holds(within: bound) { $0 }
    }
}

/// Presses an in-process daemon has committed (through its `onCommitted` hook), for a test to
/// await instead of keeping a source open for a while.
final class CommittedPresses: Sendable {
    private let inserted = Observed(0)

    func record(_ batch: [WriteOperation]) {
        let count = batch.filter { if case .insert = $0 { true } else { false } }.count
        if count > 0 { inserted.update { $0 += count } }
    }

    var handler: SampleWriter.CommitHandler { { batch, _ in self.record(batch) } }

    /// Awaits `count` committed presses; false if they are not in within `bound` (a failure guard).
    @discardableResult
    func wait(for count: Int, upTo bound: Duration = .seconds(30)) async -> Bool {
        await inserted.holds(within: bound) { $0 >= count }
    }
}

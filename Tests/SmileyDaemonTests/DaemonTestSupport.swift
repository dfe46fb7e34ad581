import Foundation
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyPlatform
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
struct ScriptedLiveSource: EdgeSource {
    struct Step: Sendable {
        var afterMs: Int
        var button: Int
        var kind: Edge.Kind
        /// The edge happened this long before it is emitted (delivered late).
        var lateMs: Int = 0
    }

    var name = "scripted"
    var debounced = true
    var timeBase: TimeBase { .live }
    var steps: [Step]
    /// Keep the stream open this long after the last step (so timers can fire).
    var lingerMs: Int = 0

    func edges() -> AsyncThrowingStream<Edge, any Error> {
        let steps = self.steps
        let linger = lingerMs
        return AsyncThrowingStream { continuation in
            let task = Task {
                for step in steps {
                    try? await Task.sleep(for: .milliseconds(step.afterMs))
                    if Task.isCancelled { break }
                    continuation.yield(Edge(button: step.button, kind: step.kind,
                                            timestampNs: MonotonicClock.nowNs() - UInt64(step.lateMs) * 1_000_000))
                }
                try? await Task.sleep(for: .milliseconds(linger))
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A settable flag shared with the daemon's injected environment.
final class Flag: Sendable {
    private let value: Mutex<Bool>
    init(_ initial: Bool) { value = Mutex(initial) }
    var get: Bool { value.withLock { $0 } }
    func set(_ new: Bool) { value.withLock { $0 = new } }
}

import SmileyCore
import SmileyInput
import SmileyPlatform

extension Latency {
    /// Presses one by one, `gapMs` apart, on a live time base (decided on the edge).
    struct PacedSource: EdgeSource {
        let presses: Int
        let buttons: Int
        let gapMs: Int
        var name: String { "paced" }
        var debounced: Bool { true }
        var timeBase: TimeBase { .live }

        func edges() -> AsyncThrowingStream<Edge, any Error> {
            AsyncThrowingStream { continuation in
                let task = Task {
                    for i in 0..<presses {
                        try? await Task.sleep(for: .milliseconds(gapMs))
                        let now = MonotonicClock.nowNs()
                        continuation.yield(Edge(button: i % buttons, kind: .rising, timestampNs: now))
                        continuation.yield(Edge(button: i % buttons, kind: .falling, timestampNs: now + 1_000_000))
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                    continuation.finish()
                }
                continuation.onTermination = { _ in task.cancel() }
            }
        }
    }
}

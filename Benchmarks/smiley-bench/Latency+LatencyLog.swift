import Foundation

extension Latency {
    /// Figures added from the daemon's commit callback, on any thread.
    final class LatencyLog: @unchecked Sendable {
        private let lock = NSLock()
        private var _values: [Double] = []
        func add(_ value: Double) { lock.withLock { _values.append(value) } }
        var values: [Double] { lock.withLock { _values } }
    }
}

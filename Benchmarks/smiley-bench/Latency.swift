import Foundation
import Logging
import SmileyConfig
import SmileyDaemon
import SmileyPlatform

/// Latency at a human pace, in-process: press decided → commit durable.
enum Latency {
    struct Result { var count: Int; var p50: Double; var p99: Double; var max: Double }

    static func run(work: String, presses: Int) async throws -> Result {
        let configPath = try writeConfig(work: work, name: "latency", input: "keyboard")
        let configuration = try ConfigLoader.load(path: configPath)
        let samples = LatencyLog()
        let source = PacedSource(presses: presses, buttons: configuration.buttons.count, gapMs: 15)
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        try await Smileyd.run(configuration: configuration, source: source, logger: logger, options: .init(
            shutdownSignals: [],
            onCommitted: { batch, _ in
                let now = MonotonicClock.nowNs()
                for case .insert(let sample) in batch { samples.add(Double(now - sample.monotonicNs) / 1e6) }
            }))
        let sorted = samples.values.sorted()
        guard !sorted.isEmpty else { throw BenchError("no commits measured") }
        return Result(count: sorted.count, p50: percentile(sorted, 0.50), p99: percentile(sorted, 0.99), max: sorted.last ?? 0)
    }
}

import Foundation
import Logging
import SmileyConfig
import SmileyDaemon
import SmileyInput
import SmileyPlatform

/// The burst in-process: no process start-up, the trace parsed beforehand.
enum InProcessBurst {
    struct Result { var parseSeconds: Double; var seconds: Double; var transactions: Int }

    static func run(work: String) async throws -> Result {
        let configPath = try writeConfig(work: work, name: "pipeline", input: "replay")
        let configuration = try ConfigLoader.load(path: configPath, requireReplayFile: false)
        let parseStart = Date()
        let source = try ReplaySource.load(path: work + "/burst-trace.txt", buttons: configuration.buttons, speed: nil,
                                           startWallMs: WallClock.nowMs())
        let parseSeconds = Date().timeIntervalSince(parseStart)
        let transactions = Latency.LatencyLog()
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let start = Date()
        try await Smileyd.run(configuration: configuration, source: source, logger: logger,
                              options: .init(shutdownSignals: [], onCommitted: { _, _ in transactions.add(1) }))
        return Result(parseSeconds: parseSeconds, seconds: Date().timeIntervalSince(start), transactions: transactions.values.count)
    }
}

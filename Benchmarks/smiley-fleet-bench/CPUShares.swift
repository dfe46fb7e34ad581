import Foundation

/// CPU seconds of each part of the benchmark at one instant, and the cores each kept busy since:
/// the collectors, PostgreSQL (server and backends), HAProxy, and this generator.
struct CPUShares {
    private let at = ContinuousClock.now
    private let seconds: [(String, Double)]

    init(_ fleet: BenchFleet) {
        seconds = Self.read(fleet)
    }

    private static func read(_ fleet: BenchFleet) -> [(String, Double)] {
        var parts = fleet.collectorProcesses.enumerated().map { ("collector \($0.offset + 1)", ProcessProbe.cpuSeconds([$0.element])) }
        parts.append(("PostgreSQL", ProcessProbe.cpuSeconds(fleet.postgresProcesses)))
        parts.append(("HAProxy", ProcessProbe.cpuSeconds(fleet.haproxyProcesses)))
        parts.append(("generator", ProcessProbe.cpuSeconds(getpid()) ?? 0))
        return parts
    }

    /// `collector 1 0.41, …` : cores busy per part since this reading.
    func since(_ fleet: BenchFleet) -> String {
        let wall = (ContinuousClock.now - at).milliseconds / 1000
        let now = Self.read(fleet)
        return zip(seconds, now).map { before, after in
            String(format: "%@ %.2f", before.0, (after.1 - before.1) / wall)
        }.joined(separator: ", ")
    }
}

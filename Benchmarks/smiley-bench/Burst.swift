import Foundation
import SmileyStore
#if canImport(Glibc)
import Glibc
#endif

/// Burst through the real daemon: a replayed trace, `smileyd --replay … --replay-speed max`.
enum Burst {
    struct Result { var presses: Int; var edges: Int; var seconds: Double; var peakRSSMB: Double }

    static func run(smileyd: String, work: String, presses: Int) throws -> Result {
        let config = try writeConfig(work: work, name: "burst", input: "replay")
        // Presses 100 ms apart on rotating buttons; every fifth bounces three times in 3 ms.
        var trace = ""
        trace.reserveCapacity(presses * 120)
        var edges = 0
        let offsets = [5, 6, 13, 19]
        for i in 0..<presses {
            let start = UInt64(1_000_000_000) + UInt64(i) * 100_000_000
            let offset = offsets[i % 4]
            var times: [(UInt64, Bool)] = [(start, true)]
            if i % 5 == 0 {
                times += [(start + 1_000_000, false), (start + 2_000_000, true)]
            }
            times.append((start + 60_000_000, false))
            for (t, press) in times {
                trace += "event: \(press ? "FALLING" : " RISING") EDGE offset: \(offset) timestamp: [\(String(format: "%12d.%09d", Int(t / 1_000_000_000), Int(t % 1_000_000_000)))]\n"
                edges += 1
            }
        }
        let tracePath = work + "/burst-trace.txt"
        try trace.write(toFile: tracePath, atomically: true, encoding: .utf8)
        let started = Date()
        let (status, usage) = try spawnAndWait(smileyd, ["--config", config, "--replay", tracePath, "--replay-speed", "max"],
                                               stderrPath: work + "/burst.log")
        let seconds = Date().timeIntervalSince(started)
        guard status == 0 else { throw BenchError("smileyd exited \(status); see \(work)/burst.log") }
        let stored = try StoreReader(path: work + "/burst.sqlite").totals().samples
        guard stored == presses else { throw BenchError("expected \(presses) rows, found \(stored)") }
        return Result(presses: presses, edges: edges, seconds: seconds, peakRSSMB: Double(usage.ru_maxrss) / 1024)
    }
}

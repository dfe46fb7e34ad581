import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `smiley-bench`: the figures in the README.
///
/// 1. Burst: a replayed trace of 50,000 presses (a fifth of them bouncing) through the real
///    `smileyd --replay … --replay-speed max`: presses per second to durable commit, peak RSS.
/// 2. Latency at a human pace: 1,000 presses, one at a time, through the daemon's pipeline
///    in-process: press decided → commit durable, p50/p99.
/// 3. The disk itself: 4 KiB write + fsync, p50/p99, in the same folder.
/// 4. Idle: smileyd on keyboard input with nobody pressing: CPU ticks over 10 s and RSS.
@main
struct SmileyBench {
    static func main() async throws {
        var arguments = CommandLine.arguments.dropFirst()
        var smileyd = ".build/release/smileyd"
        var workOption = ".build/bench"
        var presses = 50_000
        var latencyPresses = 1_000
        while let argument = arguments.popFirst() {
            switch argument {
            case "--smileyd": smileyd = arguments.popFirst() ?? smileyd
            case "--work": workOption = arguments.popFirst() ?? workOption
            case "--presses": presses = arguments.popFirst().flatMap(Int.init) ?? presses
            case "--latency-presses": latencyPresses = arguments.popFirst().flatMap(Int.init) ?? latencyPresses
            default:
                FileHandle.standardError.write(Data("usage: smiley-bench [--smileyd PATH] [--work DIR] [--presses N] [--latency-presses N]\n".utf8))
                exit(64)
            }
        }
        try? FileManager.default.removeItem(atPath: workOption)
        try FileManager.default.createDirectory(atPath: workOption, withIntermediateDirectories: true)
        let work = URL(fileURLWithPath: workOption).standardizedFileURL.path

        print("smiley-bench on \(ProcessInfo.processInfo.activeProcessorCount) cores, work folder \(work)")
        let burst = try Burst.run(smileyd: smileyd, work: work, presses: presses)
        print(String(format: "burst:   %d presses (%d edges) in %.2f s = %.0f presses/s to durable commit; smileyd peak RSS %.1f MB",
                     burst.presses, burst.edges, burst.seconds, Double(burst.presses) / burst.seconds, burst.peakRSSMB))
        let inProcess = try await InProcessBurst.run(work: work)
        print(String(format: "pipeline: the same trace in-process (parsed beforehand in %.2f s): %.2f s = %.0f presses/s to durable commit in %d transactions",
                     inProcess.parseSeconds, inProcess.seconds, Double(burst.presses) / inProcess.seconds, inProcess.transactions))
        let writerOnly = try await WriterOnly.run(work: work, rows: presses)
        print(String(format: "writer:  %d ready-made rows through SampleWriter alone: %.2f s = %.0f rows/s",
                     presses, writerOnly, Double(presses) / writerOnly))
        let fsync = try FsyncProbe.run(folder: work, count: 1000)
        let latency = try await Latency.run(work: work, presses: latencyPresses)
        print(String(format: "latency: decided → committed over %d presses at a human pace: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                     latency.count, latency.p50, latency.p99, latency.max))
        print(String(format: "fsync:   4 KiB write + fsync on the same disk: p50 %.2f ms, p99 %.2f ms (p99 latency − p99 fsync = %.2f ms)",
                     fsync.p50, fsync.p99, latency.p99 - fsync.p99))
        let idle = try Idle.run(smileyd: smileyd, work: work, seconds: 10)
        print(String(format: "idle:    smileyd with nobody pressing: %d CPU ticks in %d s, RSS %.1f MB",
                     idle.ticks, idle.seconds, idle.rssMB))
    }
}

import Foundation
import Testing
import SmileyCore
@testable import SmileyDaemon

/// The real `smileyd` given timestamps outside what it accepts: clear errors and sysexits statuses.
@Suite("smileyd and timestamps", .serialized, .timeLimit(.minutes(2)))
struct TraceTimeProcessTests {
    @Test("a libgpiod 2.x trace dated 2555 is exit 65 naming the line and the range, not a trap (132)")
    func year2555() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText())
        let tracePath = folder.write("trace.txt", "2555-01-01T00:00:00.000000000Z\tfalling\tgpiochip0 5\n")
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config, "--replay", tracePath])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("line 1"))
        #expect(result.stderr.contains("2554-07-21T23:34:33.709551615Z"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("smiley.sqlite")))
    }

    @Test("--replay-start without an offset is a usage error (64) that shows the grammar")
    func replayStartWithoutOffset() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", configText())
        let tracePath = folder.write("trace.txt", "1.000000000\tfalling\tgpiochip0 5\n")
        let result = try await runProcessAsync(Binaries.smileyd, ["--config", config, "--replay", tracePath,
                                                                  "--replay-start", "2026-11-22T09:00:00"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Z or an offset"))
        #expect(result.stderr.contains(RFC3339.grammar))
    }
}

@Suite("The daemon's clocks from a TimeSource")
struct DaemonClockTests {
    @Test("a ManualTime drives both clocks; a wall step leaves the monotonic clock alone")
    func manualTime() {
        let time = ManualTime(wallMs: 1_795_330_800_000, monotonicNs: 5_000_000_000)
        let environment = DaemonEnvironment(time: time, clockSynchronized: { true }, bootID: "test", clockRecheckSeconds: 60)
        #expect(environment.wallNowMs() == 1_795_330_800_000 && environment.monotonicNowNs() == 5_000_000_000)
        time.advance(ms: 1500)
        #expect(environment.wallNowMs() == 1_795_330_801_500 && environment.monotonicNowNs() == 6_500_000_000)
        time.setWall(ms: 0)
        #expect(environment.wallNowMs() == 0 && environment.monotonicNowNs() == 6_500_000_000)
    }
}

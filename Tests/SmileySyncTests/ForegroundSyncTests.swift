import Foundation
import Testing
@testable import SmileySync

/// `smileyd --sync-once` as a real process against a real collector: what `smileyctl sync` runs
/// when no daemon answers (DaemonSyncTests drive it through smileyctl).
@Suite("smileyd --sync-once, as a real process", .serialized, .timeLimit(.minutes(3)))
struct ForegroundSyncTests {
    @Test("the backlog sent, the JSON report as smileyctl gives it, exit 0; an empty backlog after")
    func drainsTheBacklog() async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder, terminals: ["terminal-a"])
        defer { Task { await collector.stop() } }
        folder.write("upstream.token", collector.tokens["terminal-a"]! + "\n", mode: 0o600)
        let config = terminalConfig(folder: folder, url: collector.url, batchSize: 10)
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(35, terminal: "terminal-a")

        let once = try await runProcessAsync(Binaries.smileyd, ["--sync-once", "--config", config, "--timeout", "30", "--format", "json"])
        #expect(once.status == 0, "\(once.stdout) \(once.stderr)")
        #expect(once.stdout == #"{"result":"synced","via":"foreground","sent":35,"remaining":0,"quarantined":0,"lastError":null}"# + "\n")
        #expect(try await collector.storage.inner.storedSamples().count == 35)
        #expect(try await terminal.store.counts().unsynced == 0)
        // The lock was let go: smileyctl sync (no daemon) runs it again, with nothing left to send.
        let again = try await runProcessAsync(Binaries.smileyctl, ["sync", "--config", config, "--timeout", "30"])
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        #expect(again.stdout == "synced: 0 samples sent (foreground); the backlog is empty\n")
    }
}

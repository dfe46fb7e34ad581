import Foundation
import Testing

/// `smileyd --sync-once` (what `smileyctl sync` runs without a daemon): its refusals, before any
/// network is touched.
@Suite("smileyd --sync-once refuses what it cannot do", .timeLimit(.minutes(2)))
struct SyncOnceCommandTests {
    static func upstreamConfig(_ folder: TemporaryFolder, tokenMode: Int = 0o600) -> String {
        writeUnreachableUpstreamTerminal(in: folder, terminal: "terminal-a", tokenMode: tokenMode)
    }

    @Test("no upstream: section: exit 78, saying where to add it")
    func noUpstream() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", keyboardTerminalYAML(terminal: "terminal-a"))
        let result = try await runProcessAsync(Binaries.smileyd, ["--sync-once", "--config", config])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr == "smileyd: error: no upstream: section in \(config): there is nowhere to send samples to; add upstream: with url and token-file\n")
        #expect(result.stdout.isEmpty)
        // Nothing was created.
        #expect(!FileManager.default.fileExists(atPath: folder.file("smiley.sqlite")))
    }

    @Test("a configuration with mistakes: exit 78 with every one")
    func badConfiguration() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", keyboardTerminalYAML(terminal: "terminal-a") + "retention-days: 0\nupstreem: {}\n")
        let result = try await runProcessAsync(Binaries.smileyd, ["--sync-once", "--config", config])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("retention-days: 0 is out of range"), "\(result.stderr)")
        #expect(result.stderr.contains("upstreem: unknown key"), "\(result.stderr)")
    }

    @Test("a token file others may read: exit 78, the token never printed")
    func openTokenFile() async throws {
        let folder = TemporaryFolder()
        let config = Self.upstreamConfig(folder, tokenMode: 0o644)
        let result = try await runProcessAsync(Binaries.smileyd, ["--sync-once", "--config", config])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("chmod 600"), "\(result.stderr)")
        #expect(!result.stderr.contains("secret-token") && !result.stdout.contains("secret-token"))
    }

    @Test("called by smileyctl, its error lines read as smileyctl's")
    func calledBySmileyctl() async throws {
        let folder = TemporaryFolder()
        let config = folder.write("smiley.yaml", keyboardTerminalYAML(terminal: "terminal-a"))
        let result = try await runProcessAsync(Binaries.smileyd, ["--sync-once", "--config", config, "--called-by", "smileyctl"])
        #expect(result.status == 78)
        #expect(result.stderr.hasPrefix("smileyctl: error: no upstream: section in"), "\(result.stderr)")
    }

    @Test("options that go with --sync-once only, or not with it, and bad values: exit 64 saying which",
          arguments: [
              (["--timeout", "5"], "--timeout goes with --sync-once only"),
              (["--retry-quarantined", "--format", "json"], "--retry-quarantined, --format go with --sync-once only"),
              (["--sync-once", "--check-config"], "--sync-once does not go with --check-config"),
              (["--sync-once", "--replay", "trace.txt"], "--sync-once does not go with --replay"),
              (["--sync-once", "--timeout", "0"], "--timeout must be a number of seconds above 0"),
              (["--sync-once", "--format", "xml"], "--format must be table or json (got \"xml\")"),
              (["--sync-once", "--called-by", "ssh"], "--called-by must be smileyd or smileyctl (got \"ssh\")"),
          ])
    func usage(arguments: [String], message: String) async throws {
        let folder = TemporaryFolder()
        let config = Self.upstreamConfig(folder)
        let result = try await runProcessAsync(Binaries.smileyd, arguments + ["--config", config])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("another uploader holds the sync lock: exit 75, naming it, before sending anything")
    func lockTaken() async throws {
        let folder = TemporaryFolder()
        let config = Self.upstreamConfig(folder)
        // A process that holds the lock as an uploader does (flock on <database>.sync-lock).
        let lockPath = folder.file("smiley.sqlite.sync-lock")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--exclusive", lockPath, "/bin/sh", "-c", "echo locked; exec cat"]
        let stdin = Pipe(), stdout = Pipe()
        holder.standardInput = stdin
        holder.standardOutput = stdout
        try holder.run()
        defer {
            try? stdin.fileHandleForWriting.close()
            holder.waitUntilExit()
        }
        // Awaits the holder's word that it has the lock.
        let line = stdout.fileHandleForReading.readData(ofLength: 7)
        #expect(String(decoding: line, as: UTF8.self) == "locked\n")
        let result = try await runProcessAsync(Binaries.smileyd, ["--sync-once", "--config", config, "--timeout", "60"])
        #expect(result.status == 75, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("another uploader"), "\(result.stderr)")
        #expect(result.stderr.contains("is syncing this database (lock \(lockPath)); wait for it, or stop it"), "\(result.stderr)")
    }
}

import Foundation
import SmileyCore
import SmileyCollector
import SmileyPlatform
import Synchronization
import Testing
@testable import SmileyStore
@testable import SmileySync

/// smileyd as a real process, reading keys from a pipe the test writes to. Its output goes to the
/// log file through a pipe the test reads, so a test can await what the daemon says.
final class DaemonProcess {
    let process = Process()
    let keys = Pipe()
    let output = Pipe()
    let errors: FileHandle
    /// True once the daemon says its control socket listens (`smileyctl sync` reaches it then).
    let listening = EventLog<Bool>()
    /// How many presses the daemon has logged as committed.
    let pressesLogged = Observed(0)

    /// The end of the output read so far (a line may come in two reads).
    private final class Tail: Sendable {
        let text = Mutex("")
    }

    init(config: String, logFile: String) throws {
        process.executableURL = URL(fileURLWithPath: Binaries.smileyd)
        process.arguments = ["--config", config, "--log-level", "debug"]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        process.environment = env
        process.standardInput = keys
        // Appending: the output of an earlier life may still be arriving.
        let descriptor = open(logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: logFile]) }
        errors = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        process.standardError = output
        process.standardOutput = output
        let errors = self.errors, listening = self.listening, presses = self.pressesLogged, tail = Tail()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            try? errors.write(contentsOf: data)
            // Whole lines only; the unfinished last one waits for the next read.
            let lines = tail.text.withLock { text -> [Substring] in
                text += String(decoding: data, as: UTF8.self)
                guard let end = text.lastIndex(of: "\n") else { return [] }
                let complete = text[..<end].split(separator: "\n")
                text = String(text[text.index(after: end)...])
                return complete
            }
            if lines.contains(where: { $0.contains("control socket listening") }) { listening.record(true) }
            let pressLines = lines.filter { $0.contains(" press ") && $0.contains("id=") }.count
            if pressLines > 0 { presses.update { $0 += pressLines } }
        }
        try process.run()
    }

    func press(_ key: String) {
        try? keys.fileHandleForWriting.write(contentsOf: Data(key.utf8))
    }

    func kill9() async {
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
    }

    /// SIGTERM and wait; the exit status.
    func stop() async -> Int32 {
        process.terminate()
        await process.exited()
        return process.terminationStatus
    }

    /// SIGTERM and wait, blocking the thread (for a `defer`).
    func stopBlocking() {
        process.terminate()
        process.waitUntilExit()
    }
}

func terminalConfig(folder: TemporaryFolder, url: String, extra: String = "", batchSize: Int = 20,
                    heartbeatSeconds: Int = 0) -> String {
    folder.write("smiley.yaml", keyboardTerminalYAML(terminal: "terminal-a", site: "site-1") + """
        press:
          response-interval-ms: 0
        upstream:
          url: \(url)
          token-file: upstream.token
          batch-size: \(batchSize)
          coalesce-ms: 100
          connect-timeout-ms: 1000
          request-timeout-ms: 2000
          retry-initial-ms: 20
          retry-max-ms: 200
          heartbeat-seconds: \(heartbeatSeconds)
        \(extra)
        """)
}

@Suite("smileyd and smileyctl with upstream, as real processes", .serialized, .timeLimit(.minutes(10)))
struct DaemonSyncTests {
    @Test("kill -9 of smileyd at random moments of a sync, 60 times, with a failing receiver: then every sample exactly once")
    func killNineDuringSync() async throws {
        let folder = TemporaryFolder()
        // The receiver misbehaves at random too (as in the fault-injection test) until the kills end.
        let faults = FaultInjection(seed: UInt64.random(in: 0...UInt64.max), stall: .milliseconds(2500))
        let collector = try await CollectorFixture.start(folder: folder, terminals: ["terminal-a"], middlewares: [faults], slowdown: {
            try? await Task.sleep(for: .milliseconds(5))
        })
        defer { Task { await collector.stop() } }
        folder.write("upstream.token", collector.tokens["terminal-a"]! + "\n", mode: 0o600)
        let config = terminalConfig(folder: folder, url: collector.url, batchSize: 25)
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(20_000, terminal: "terminal-a")

        var generator = SystemRandomNumberGenerator()
        var killsWithBacklog = 0
        var progressDuringLives = 0
        let kills = 60
        let started = Date()
        for life in 0..<kills {
            let before = try await collector.storage.inner.health().samples
            let daemon = try DaemonProcess(config: config, logFile: folder.file("smileyd.log"))
            // Every other life is killed at a random moment of its sync: it answers on its control
            // socket first (start-up takes its own, load-dependent time); the others at a random
            // moment from the spawn, start-up included.
            if life % 2 == 0 {
                await daemon.listening.wait { $0 }
            }
            // Presses keep coming while it syncs.
            if life % 3 == 0 { daemon.press(String("1234".randomElement(using: &generator)!)) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 40...450, using: &generator)))
            if life % 5 == 1 { daemon.press("43") }
            let backlog = try await terminal.store.counts().unsynced
            await daemon.kill9()
            if backlog > 0 { killsWithBacklog += 1 }
            if try await collector.storage.inner.health().samples > before { progressDuringLives += 1 }
        }
        let killTime = Date().timeIntervalSince(started)
        faults.stop()
        // Finally a clean run: `smileyctl sync` through the daemon empties the backlog.
        let daemon = try DaemonProcess(config: config, logFile: folder.file("smileyd.log"))
        // (A killed daemon leaves its socket file behind: wait until the new one says it listens.)
        await daemon.listening.wait { $0 }
        #expect((try? ControlClient(path: folder.file("run/control.sock"))) != nil)
        let sync = try await runProcessAsync(Binaries.smileyctl, ["sync", "--config", config, "--timeout", "120"])
        #expect(sync.status == 0, "\(sync.stdout) \(sync.stderr)")
        #expect(sync.stdout.contains("(daemon)"))
        #expect(await daemon.stop() == 0)

        let local = try terminal.all()
        let stored = try await collector.storage.inner.storedSamples()
        #expect(local.count >= 20_000)
        #expect(local.allSatisfy { $0.synced })
        #expect(stored.count == local.count)
        let sameSet = Set(stored.map(\.id)) == Set(local.map(\.id))
        #expect(sameSet)
        #expect(try await collector.storage.inner.acceptedTotal() == local.count)
        #expect(collector.storage.conflicts.withLock { $0 }.isEmpty)
        let keys = collector.storage.keys.withLock { $0 }
        #expect(keys.values.reduce(0) { $0 + $1.count } == local.count)
        print("kill -9: \(kills) kills in \(String(format: "%.1f", killTime)) s, \(killsWithBacklog) with a backlog, \(progressDuringLives) lives made progress; \(local.count) samples, \(keys.count) batches; storage \(collector.storage.outcomes.withLock { $0 }); faults \(faults.counts.filter { $0.key != .none }.values.reduce(0, +))")
        #expect(killsWithBacklog >= 50)
        #expect(progressDuringLives >= 15)
    }

    @Test("smileyd refuses a token file readable by others, says so, and never prints the token")
    func refusesOpenTokenFile() throws {
        let folder = TemporaryFolder()
        let token = "secret-" + UUID().uuidString
        folder.write("upstream.token", token + "\n", mode: 0o644)
        let config = terminalConfig(folder: folder, url: "https://collector.example")
        let result = try runProcess(Binaries.smileyd, ["--config", config])
        #expect(result.status == 78)
        #expect(result.stderr.contains("upstream.token-file"))
        #expect(result.stderr.contains("chmod 600"))
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
        // Nothing was started: no database, no socket.
        #expect(!FileManager.default.fileExists(atPath: folder.file("run/control.sock")))
    }

    @Test("smileyctl sync: in the foreground without a daemon, through the daemon when it runs; status shows the backlog")
    func smileyctlSync() async throws {
        let folder = TemporaryFolder()
        let port = try freePort()
        let url = "http://127.0.0.1:\(port)"
        let tokens = ["terminal-a": "tok-a-" + UUID().uuidString]
        folder.write("upstream.token", tokens["terminal-a"]! + "\n", mode: 0o600)
        let config = terminalConfig(folder: folder, url: url, batchSize: 50)
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(120, terminal: "terminal-a")

        // Nobody listens: the foreground sync gives up at its timeout, with the reason.
        let gaveUp = try await runProcessAsync(Binaries.smileyctl, ["sync", "--config", config, "--timeout", "6"])
        #expect(gaveUp.status == 75, "\(gaveUp.stdout) \(gaveUp.stderr)")
        #expect(gaveUp.stdout.contains("gave up after 6 s: 120 samples still unsynced"))
        #expect(gaveUp.stdout.contains("no answer from \(url)/v1/batches"))
        let status = try await runProcessAsync(Binaries.smileyctl, ["status", "--config", config])
        #expect(status.stdout.contains("Upstream: \(url) — backlog 120 samples (daemon not running)"), "\(status.stdout)")
        #expect(status.stdout.contains("no answer from"))

        // A collector appears: the foreground sync drains everything.
        let storage = try RecordingStorage(path: folder.file("collector.sqlite"))
        let api = CollectorAPI(storage: storage, tokens: TokenTable(pairs: tokens.map { (terminal: $0.key, token: $0.value) }),
                               logger: quietLogger)
        let running = try await RunningCollector.start(api: api, port: port)
        let foreground = try await runProcessAsync(Binaries.smileyctl, ["sync", "--config", config, "--timeout", "30", "--format", "json"])
        #expect(foreground.status == 0, "\(foreground.stdout) \(foreground.stderr)")
        #expect(foreground.stdout.contains(#""result":"synced","via":"foreground","sent":120,"remaining":0"#), "\(foreground.stdout)")
        #expect(try await storage.inner.storedSamples().count == 120)

        // With the daemon running and the collector gone, presses pile up and retries back off…
        await running.stop()
        let daemon = try DaemonProcess(config: config, logFile: folder.file("smileyd.log"))
        let changes = try FileChanges(folders: [folder.file("run")])
        daemon.press("1")
        // The second press once the first is committed (the daemon logs it then).
        #expect(await daemon.pressesLogged.holds(within: .seconds(30)) { $0 >= 1 })
        daemon.press("4")
        // (Retrying, or — on a machine whose clock is not NTP-synchronized — holding the presses
        // for the clock correction; either way they wait.) Checked whenever the status file changes.
        #expect(await changes.until(upTo: .seconds(30)) {
            let live = DaemonStatus.readLive(runtimeDirectory: folder.file("run"))
            return live?.sync?.backlog == 2 && (live?.sync?.state == .retrying || live?.sync?.holdingForClock == true)
        })
        let live = try await runProcessAsync(Binaries.smileyctl, ["status", "--config", config, "--format", "json"])
        #expect(live.stdout.contains(#""backlog":2"#), "\(live.stdout)")
        #expect(live.stdout.contains(#""daemon":{"pid""#), "\(live.stdout)")
        // …until the collector is back and someone asks: the daemon sends at once.
        let again = try await RunningCollector.start(api: api, port: port)
        defer { Task { await again.stop() } }
        let viaDaemon = try await runProcessAsync(Binaries.smileyctl, ["sync", "--config", config, "--timeout", "20"])
        #expect(viaDaemon.status == 0, "\(viaDaemon.stdout) \(viaDaemon.stderr)")
        #expect(viaDaemon.stdout.contains("(daemon)"))
        #expect(try await storage.inner.storedSamples().count == 122)
        #expect(await daemon.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.file("run/control.sock")))
    }

    @Test("a receiver that refuses: smileyctl sync exits 65 naming the quarantined samples; --retry-quarantined sends them")
    func quarantinedExitCode() async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder, terminals: ["terminal-a", "terminal-b"])
        defer { Task { await collector.stop() } }
        // This terminal holds terminal-b's token: the collector answers 403.
        folder.write("upstream.token", collector.tokens["terminal-b"]! + "\n", mode: 0o400)
        let config = terminalConfig(folder: folder, url: collector.url, batchSize: 10)
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(25, terminal: "terminal-a")
        let refused = try await runProcessAsync(Binaries.smileyctl, ["sync", "--config", config, "--timeout", "20"])
        #expect(refused.status == 65, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stdout.contains("quarantined"))
        #expect(refused.stdout.contains("HTTP 403"))
        let status = try await runProcessAsync(Binaries.smileyctl, ["status", "--config", config])
        #expect(status.stdout.contains("Quarantined: 3 batches, 25 samples"), "\(status.stdout)")
        // The right token; the same batches go again under their keys.
        folder.write("upstream.token", collector.tokens["terminal-a"]! + "\n", mode: 0o600)
        let retried = try await runProcessAsync(Binaries.smileyctl, ["sync", "--config", config, "--timeout", "20", "--retry-quarantined"])
        #expect(retried.status == 0, "\(retried.stdout) \(retried.stderr)")
        #expect(try await collector.storage.inner.storedSamples().count == 25)
        #expect(collector.storage.keys.withLock { $0.count } == 3)
    }

    @Test("the daemon sends heartbeats with its backlog and state")
    func heartbeat() async throws {
        let folder = TemporaryFolder()
        let collector = try await CollectorFixture.start(folder: folder, terminals: ["terminal-a"])
        defer { Task { await collector.stop() } }
        folder.write("upstream.token", collector.tokens["terminal-a"]! + "\n", mode: 0o600)
        let path = terminalConfig(folder: folder, url: collector.url, extra: "retention-days: 30", heartbeatSeconds: 1)
        let terminal = try TerminalDatabase(folder: folder)
        let samples = try terminal.seed(5, terminal: "terminal-a")
        let changes = try FileChanges(folders: [folder.path])
        let daemon = try DaemonProcess(config: path, logFile: folder.file("smileyd.log"))
        defer { daemon.stopBlocking() }
        // The first heartbeat goes at start (backlog 5), later ones after the backlog is sent:
        // checked whenever the collector's database (beside the terminal's) changes.
        #expect(try await changes.until(upTo: .seconds(30)) {
            let terminals = try await collector.storage.terminals()
            return terminals.first?.heartbeat?.backlog == 0 && terminals.first?.heartbeat?.lastSyncAt != nil
        })
        let beat = try #require(try await collector.storage.terminals().first?.heartbeat)
        #expect(beat.terminal == "terminal-a" && beat.site == "site-1" && beat.version == "0.1.0")
        #expect(beat.lastPressAt == RFC3339.string(ms: samples[4].recordedAtMs))
        // The daemon reports the machine's own clock state (the same adjtimex reading smileyd makes).
        #expect(beat.clockSynchronized == ClockSynchronization.isSynchronized())
        #expect(beat.lowDisk == false && beat.quarantinedBatches == 0)
        #expect((beat.diskFreeBytes ?? 0) > 0 && beat.heldButtons == [])
    }
}

@Suite("A returning network, end to end", .serialized)
struct NetworkReturnTests {
    @Test("smileyd in a network namespace: the link comes up and the backlog drains at once, not at the next retry",
          .enabled(if: canMakeNetworkNamespaces, "needs root and `ip netns`"))
    func linkUpDrainsAtOnce() async throws {
        let folder = TemporaryFolder()
        // Two hosts joined by a cable (a veth pair): the terminal in one namespace, the collector in
        // the other. The terminal's end of the cable starts down.
        let tag = "\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        let terminalHost = "smiley-t-\(tag)", collectorHost = "smiley-c-\(tag)"
        #expect(await command(["ip", "netns", "add", terminalHost]))
        #expect(await command(["ip", "netns", "add", collectorHost]))
        defer {
            shell(["ip", "netns", "del", terminalHost])
            shell(["ip", "netns", "del", collectorHost])
        }
        #expect(await command(["ip", "-n", terminalHost, "link", "add", "a0", "type", "veth", "peer", "name", "b0", "netns", collectorHost]))
        #expect(await command(["ip", "-n", terminalHost, "addr", "add", "10.66.0.1/24", "dev", "a0"]))
        #expect(await command(["ip", "-n", collectorHost, "addr", "add", "10.66.0.2/24", "dev", "b0"]))
        #expect(await command(["ip", "-n", collectorHost, "link", "set", "b0", "up"]))
        #expect(await command(["ip", "-n", collectorHost, "link", "set", "lo", "up"]))
        #expect(await command(["ip", "-n", terminalHost, "link", "set", "lo", "up"]))
        let token = "tok-" + UUID().uuidString
        folder.write("tokens", "terminal-a \(token)\n", mode: 0o600)
        folder.write("collector.yaml", "host: 0.0.0.0\nport: 18090\ndatabase: collector.sqlite\ntokens-file: tokens\n")
        folder.write("upstream.token", token + "\n", mode: 0o600)
        // A long backoff: without the netlink trigger the next retry would be minutes away.
        let config = terminalConfig(folder: folder, url: "http://10.66.0.2:18090")
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "retry-max-ms: 200", with: "retry-max-ms: 600000")
            .replacingOccurrences(of: "retry-initial-ms: 20", with: "retry-initial-ms: 300000")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(300, terminal: "terminal-a")

        let collector = Process()
        collector.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        collector.arguments = ["ip", "netns", "exec", collectorHost, Binaries.collector, "--config", folder.file("collector.yaml"),
                               "--log-level", "warning"]
        collector.standardOutput = FileHandle.nullDevice
        collector.standardError = FileHandle.nullDevice
        try collector.run()
        defer {
            collector.terminate()
            collector.waitUntilExit()
        }
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        daemon.arguments = ["ip", "netns", "exec", terminalHost, Binaries.smileyd, "--config", config, "--log-level", "info"]
        let keys = Pipe()
        daemon.standardInput = keys
        let log = folder.file("smileyd.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        daemon.standardError = logHandle
        daemon.standardOutput = logHandle
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        daemon.environment = env
        let changes = try FileChanges(folders: [folder.path, folder.file("run")])
        try daemon.run()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        // The first attempt finds no network and backs off (full jitter over up to five minutes:
        // a short draw just fails again and draws anew). Checked whenever the status file changes.
        #expect(await changes.until(upTo: .seconds(60)) {
            guard let sync = DaemonStatus.readLive(runtimeDirectory: folder.file("run"))?.sync else { return false }
            return sync.state == .retrying && (sync.nextAttemptAtMs ?? 0) > wallNow() + 20_000
        }, "\(String(describing: DaemonStatus.readLive(runtimeDirectory: folder.file("run"))?.sync))")
        #expect(try await terminal.store.counts().unsynced == 300)
        // Plug the cable in.
        let pluggedAt = Date()
        #expect(await command(["ip", "-n", terminalHost, "link", "set", "a0", "up"]))
        // Checked whenever the database's log changes.
        #expect(await changes.until(upTo: .seconds(20)) { (try? await terminal.store.counts().unsynced) == 0 })
        let drainSeconds = Date().timeIntervalSince(pluggedAt)
        #expect(drainSeconds < 15)
        let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(logText.contains("network changed: retrying now"), "\(logText.suffix(2000))")
        print("network return: backlog of 300 drained \(String(format: "%.1f", drainSeconds)) s after the link came up")
    }
}

import Foundation
import SmileyCore
import Testing
@testable import SmileyStore

/// A terminal of a fleet test: its own folder, configuration (upstream: the load balancer, its
/// token in a file) and database, seeded with samples as the daemon writes them; it syncs with the
/// real `smileyd --sync-once`.
struct FleetTerminal: Sendable {
    let id: String
    let site: String
    let folder: TemporaryFolder
    let config: String
    let database: TerminalDatabase

    init(id: String, site: String, token: String, url: String, batchSize: Int) throws {
        self.id = id
        self.site = site
        folder = TemporaryFolder()
        folder.write("upstream.token", token + "\n", mode: 0o600)
        config = folder.write("smiley.yaml", keyboardTerminalYAML(terminal: id, site: site) + """
            press:
              response-interval-ms: 0
            upstream:
              url: \(url)
              token-file: upstream.token
              batch-size: \(batchSize)
              coalesce-ms: 100
              connect-timeout-ms: 1000
              request-timeout-ms: 10000
              retry-initial-ms: 20
              retry-max-ms: 500
              heartbeat-seconds: 0

            """)
        database = try TerminalDatabase(folder: folder)
    }

    /// `count` new samples, one second apart from `ms`.
    func seed(_ count: Int, from ms: Int64) throws {
        try database.seed(count, terminal: id, site: site, from: ms)
    }

    /// `smileyd --sync-once`: its exit status and report.
    func syncOnce(timeoutSeconds: Int = 120) async throws -> ProcessResult {
        try await runProcessAsync(Binaries.smileyd, ["--sync-once", "--config", config, "--timeout", String(timeoutSeconds),
                                                     "--format", "json"])
    }

    /// Rounds of new samples and `smileyd --sync-once`, until a round ends with `done` set (the
    /// faults are over then); each round's result.
    func keepSyncing(until done: Observed<Bool>, samplesPerRound: Int) async throws -> [ProcessResult] {
        var results: [ProcessResult] = []
        var round: Int64 = 0
        repeat {
            try seed(samplesPerRound, from: 1_795_341_600_000 + round * Int64(samplesPerRound) * 1000)
            results.append(try await syncOnce())
            round += 1
        } while !done.value
        return results
    }
}

import Foundation
import Logging
import SmileyCollector
import Testing
@testable import SmileyStore

/// The fleet tests run as root (CI runs as root) with Debian's haproxy. Under make, which installs
/// haproxy first (`make deps`), they run whenever root, so a missing haproxy fails there, saying so.
let fleetTestsCanRun = geteuid() == 0
    && (TestLoadBalancer.installed || ProcessInfo.processInfo.environment["MAKELEVEL"] != nil)
let fleetTestsNeed: Comment = "needs root and Debian's haproxy (CI runs as root; `make deps` installs haproxy)"

/// A fleet on this machine: smiley-collector processes on one throwaway PostgreSQL, HAProxy in
/// front of them run from examples/haproxy.cfg, and terminals (`smileyd --sync-once`) syncing
/// through it. The first collector reaches the database as a role of its own through a socket
/// folder of its own, so a test can take the database away from it alone (``cutFirstCollector()``).
final class Fleet {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/haproxy.cfg").path
    static let firstRole = "collector_one"

    let folder: TemporaryFolder
    let postgres: TestPostgres
    let database: String
    let collectors: [CollectorProcess]
    let collectorPorts: [Int]
    let balancer: TestLoadBalancer
    let terminals: [FleetTerminal]
    /// The collectors' database, read by the test (results through the storage, not the API).
    let storage: PostgresCollectorStorage
    private let pool: Task<Void, Never>
    private let firstSocketLink: String

    private init(folder: TemporaryFolder, postgres: TestPostgres, database: String, collectors: [CollectorProcess],
                 collectorPorts: [Int], balancer: TestLoadBalancer, terminals: [FleetTerminal],
                 storage: PostgresCollectorStorage, pool: Task<Void, Never>, firstSocketLink: String) {
        self.folder = folder
        self.postgres = postgres
        self.database = database
        self.collectors = collectors
        self.collectorPorts = collectorPorts
        self.balancer = balancer
        self.terminals = terminals
        self.storage = storage
        self.pool = pool
        self.firstSocketLink = firstSocketLink
    }

    /// Starts PostgreSQL, `collectors` collectors (tokens file for `terminals` terminals), HAProxy
    /// in front, and makes the terminals (sites `site-1`, `site-2`, … in turn).
    static func start(collectors count: Int = 2, terminals terminalCount: Int, batchSize: Int) async throws -> Fleet {
        let folder = TemporaryFolder()
        let postgres = try await TestPostgres()
        do {
            let database = try await postgres.createDatabase()
            _ = try await postgres.psql(database, "CREATE ROLE \(firstRole) LOGIN SUPERUSER")
            let firstSockets = folder.file("first-collector-sockets")
            try FileManager.default.createDirectory(atPath: firstSockets, withIntermediateDirectories: true)
            let firstSocketLink = firstSockets + "/.s.PGSQL.\(postgres.port)"
            try FileManager.default.createSymbolicLink(atPath: firstSocketLink,
                                                       withDestinationPath: postgres.folder + "/.s.PGSQL.\(postgres.port)")

            let ids = (1...terminalCount).map { "terminal-\($0)" }
            var tokens: [String: String] = [:]
            for id in ids { tokens[id] = "tok-\(id)-" + UUID().uuidString.lowercased() }
            let tokensFile = folder.write("tokens", ids.map { "\($0) \(tokens[$0] ?? "")\n" }.joined(), mode: 0o600)

            var ports: [Int] = []
            var processes: [CollectorProcess] = []
            for index in 0..<count {
                let port = try TestLoadBalancer.freeLoopbackPort()
                let url = index == 0
                    ? "postgresql://\(firstRole)@/\(database)?host=\(firstSockets)"
                    : postgres.url(database: database)
                let config = folder.write("collector-\(index + 1).yaml",
                                          "database: \(url)\ntokens-file: \(tokensFile)\nhost: 127.0.0.1\nport: \(port)\n")
                let collector = CollectorProcess(config: config)
                try await collector.start()
                ports.append(port)
                processes.append(collector)
            }
            let balancer = try await TestLoadBalancer(example: example, backends: ports, folder: folder.path)
            let terminals = try ids.enumerated().map { index, id in
                try FleetTerminal(id: id, site: "site-\(index % 2 + 1)", token: tokens[id] ?? "", url: balancer.url,
                                  batchSize: batchSize)
            }
            var logger = Logger(label: "fleet-test")
            logger.logLevel = .critical
            let settings = try PostgresSettings.parse(url: postgres.url(database: database)).get()
            let storage = try PostgresCollectorStorage(settings: settings, logger: logger)
            let pool = Task { await storage.run() }
            return Fleet(folder: folder, postgres: postgres, database: database, collectors: processes, collectorPorts: ports,
                         balancer: balancer, terminals: terminals, storage: storage, pool: pool, firstSocketLink: firstSocketLink)
        } catch {
            await postgres.shutdown()
            throw error
        }
    }

    func shutdown() async {
        await balancer.stop()
        for collector in collectors { await collector.stop() }
        pool.cancel()
        await postgres.shutdown()
    }

    /// Takes the database away from the first collector alone: its socket link is removed and its
    /// connections are ended, as when the network between it and the database fails.
    func cutFirstCollector() async throws {
        try FileManager.default.removeItem(atPath: firstSocketLink)
        _ = try await postgres.psql(database, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '\(Self.firstRole)'")
    }

    /// Gives the first collector its way to the database back.
    func reconnectFirstCollector() throws {
        try FileManager.default.createSymbolicLink(atPath: firstSocketLink,
                                                   withDestinationPath: postgres.folder + "/.s.PGSQL.\(postgres.port)")
    }

    /// Every terminal's every sample stored exactly once, as the terminal recorded it: none
    /// missing, none twice, nothing else; `acceptedTotal` equal to the count. Returns the count.
    @discardableResult
    func expectEverySampleExactlyOnce(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
        let stored = try await storage.storedSamples()
        let byTerminal = Dictionary(grouping: stored, by: \.terminal)
        var total = 0
        for terminal in terminals {
            let local = try terminal.database.all()
            total += local.count
            let unsynced = local.filter { !$0.synced }.count
            #expect(unsynced == 0, "\(terminal.id): \(unsynced) samples not marked synced", sourceLocation: sourceLocation)
            let mine = Dictionary(grouping: byTerminal[terminal.id] ?? [], by: \.id)
            let twice = mine.values.filter { $0.count > 1 }.count
            let missing = local.filter { mine[$0.recorded.id] == nil }.count
            let changed = local.filter { sample in
                guard let kept = mine[sample.recorded.id]?.first else { return false }
                let recorded = sample.recorded
                return kept.site != recorded.site || kept.survey != recorded.survey || kept.button != recorded.button
                    || kept.buttonName != recorded.buttonName || kept.recordedAtMs != recorded.recordedAtMs
                    || kept.utcOffsetSeconds != recorded.utcOffsetSeconds || kept.misuse != recorded.misuse?.rawValue
            }.count
            #expect(twice == 0, "\(terminal.id): \(twice) samples stored more than once", sourceLocation: sourceLocation)
            #expect(missing == 0, "\(terminal.id): \(missing) of \(local.count) samples missing", sourceLocation: sourceLocation)
            #expect(changed == 0, "\(terminal.id): \(changed) samples stored otherwise than recorded", sourceLocation: sourceLocation)
            #expect(mine.count == local.count, "\(terminal.id): \(mine.count) stored, \(local.count) recorded", sourceLocation: sourceLocation)
        }
        #expect(stored.count == total, "\(stored.count) samples stored, the terminals recorded \(total)", sourceLocation: sourceLocation)
        #expect(try await storage.acceptedTotal() == total, sourceLocation: sourceLocation)
        return total
    }

    /// What HAProxy's request log shows for batches from `mark` on: the count per status, and how
    /// many were sent again to a server (its retries counter, `+N` when redispatched to another).
    func batchAnswers(from mark: Int = 0) -> (statuses: [Int: Int], retried: Int) {
        var statuses: [Int: Int] = [:]
        var retried = 0
        for line in balancer.output.lines.dropFirst(mark) where line.contains("\"POST /v1/batches ") {
            guard let status = TestLoadBalancer.status(ofLogLine: line) else { continue }
            statuses[status, default: 0] += 1
            // `actconn/feconn/beconn/srv_conn/retries`: the second field of five counters after the status.
            let counters = line.split(separator: " ").filter { $0.split(separator: "/").count == 5 }
            if counters.count >= 2, let last = counters[1].split(separator: "/").last,
               let count = Int(last.hasPrefix("+") ? last.dropFirst() : last), count > 0 {
                retried += 1
            }
        }
        return (statuses, retried)
    }

    /// The batches the request log shows answered 200 by `collector` (its index) from `mark` on.
    func batchesStored(by collector: Int, from mark: Int = 0) -> Int {
        balancer.requests(servedBy: balancer.servers[collector], from: mark)
            .filter { $0.contains(" 200 ") && $0.contains("POST /v1/batches ") }.count
    }
}

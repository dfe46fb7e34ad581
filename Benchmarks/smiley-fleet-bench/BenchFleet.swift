import Foundation
import Logging
import SmileyCollector
import SmileyTestSupport

/// The fleet under load, all on this machine: a throwaway PostgreSQL (SmileyTestSupport's, fsync
/// on unless asked otherwise), its sites and terminal credentials made through the storage, two
/// release smiley-collector processes on it, HAProxy in front run from examples/haproxy.cfg as
/// the fleet tests run it.
final class BenchFleet {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/haproxy.cfg").path

    let folder = TemporaryFolder()
    let postgres: TestPostgres
    let database: String
    let storage: PostgresCollectorStorage
    private let pool: Task<Void, Never>
    private(set) var collectors: [CollectorProcess] = []
    private(set) var balancer: TestLoadBalancer?

    /// The server started and an empty, migrated database made.
    init(postgresSettings: [String]) async throws {
        postgres = try await TestPostgres(settings: postgresSettings)
        do {
            database = try await postgres.createDatabase()
            storage = try Self.storage(postgres, database)
            _ = try await storage.migrate()
            pool = Task { [storage] in await storage.run() }
        } catch {
            await postgres.shutdown()
            throw error
        }
    }

    /// A storage client of the benchmark's own on `database` (run its pool to use it).
    static func storage(_ postgres: TestPostgres, _ database: String) throws -> PostgresCollectorStorage {
        var logger = Logger(label: "smiley-fleet-bench")
        logger.logLevel = .critical
        let settings = try PostgresSettings.parse(url: postgres.url(database: database)).get()
        return try PostgresCollectorStorage(settings: settings, logger: logger)
    }

    /// `sites` sites in `regions` regions (site-001 in region-01, …) and `terminals` terminals spread
    /// over them, each with a terminal credential bound to its site; the terminals' ids, sites and tokens.
    func makeOrganisation(sites: Int, regions: Int, terminals: Int) async throws -> [(id: String, site: String, token: String)] {
        let zones = ["Europe/Helsinki", "Europe/Stockholm", "Europe/Berlin", "Europe/London", "Europe/Madrid"]
        var siteIds: [String] = []
        for index in 0..<sites {
            let id = String(format: "site-%03d", index + 1)
            let region = String(format: "region-%02d", index % regions + 1)
            try await storage.addSite(try Site(id: id, region: region, timeZone: zones[index % regions % zones.count],
                                               openingHours: nil))
            siteIds.append(id)
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var made: [(id: String, site: String, token: String)] = []
        for index in 0..<terminals {
            let id = String(format: "terminal-%04d", index + 1)
            let site = siteIds[index % sites]
            let token = TokenDigest.newToken()
            _ = try await storage.addCredential(.terminal(id, site: site), digest: TokenDigest.of(token), createdAtMs: now)
            made.append((id, site, token))
        }
        return made
    }

    /// Starts `count` collectors (each with `extraConfig` lines) and HAProxy in front of them; its URL.
    func startServing(collectors count: Int, extraConfig: String) async throws -> String {
        var ports: [Int] = []
        for index in 0..<count {
            let port = try TestLoadBalancer.freeLoopbackPort()
            let config = folder.write("collector-\(index + 1).yaml", """
                database: \(postgres.url(database: database))
                host: 127.0.0.1
                port: \(port)
                \(extraConfig)
                """)
            let collector = CollectorProcess(config: config)
            try await collector.start()
            collectors.append(collector)
            ports.append(port)
        }
        let balancer = try await TestLoadBalancer(example: Self.example, backends: ports, folder: folder.path)
        self.balancer = balancer
        return balancer.url
    }

    /// The process ids whose CPU time counts as each part's.
    var collectorProcesses: [Int32] { collectors.compactMap(\.processIdentifier) }
    var postgresProcesses: [Int32] { postgres.serverProcessIdentifier.map(ProcessProbe.family) ?? [] }
    var haproxyProcesses: [Int32] {
        guard let balancer, let master = ProcessProbe.find(commandLineContaining: balancer.configuration) else { return [] }
        return ProcessProbe.family(master)
    }

    /// Stops HAProxy and the collectors (the database stays).
    func stopServing() async {
        await balancer?.stop()
        balancer = nil
        for collector in collectors { await collector.stop() }
        collectors = []
    }

    func shutdown() async {
        await stopServing()
        pool.cancel()
        await postgres.shutdown()
    }
}

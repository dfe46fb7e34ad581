import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOPosix
import SmileyWire
#if canImport(Glibc)
import Glibc
#endif

/// Benchmark (not a test; `make bench-fleet`): simulated terminals through HAProxy to two
/// smiley-collector processes on one throwaway PostgreSQL, on this machine. Prints samples/s
/// committed, batch latencies, each part's CPU and each collector's peak RSS under sustained load
/// and for the catch-up of a whole fleet's backlog; then the two ways of inserting a batch; then
/// the fleet queries over a year of seeded rollups. Needs root (the server runs as `postgres`),
/// Debian's postgresql and haproxy, and a release smiley-collector beside this executable.
@main
struct FleetBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smiley-fleet-bench",
        abstract: "Measure the fleet's ingest (HTTP through HAProxy to two collectors on PostgreSQL) and its rollup queries.")

    @Option(help: "Simulated terminals.") var terminals = 1000
    @Option(help: "Sites (the terminals spread over them).") var sites = 100
    @Option(help: "Regions (the sites spread over them).") var regions = 10
    @Option(help: "Samples per batch (smileyd's upstream.batch-size).") var batchSize = 500
    @Option(help: "HTTP/1.1 connections the generator keeps (one HTTPClient pool).") var connections = 1000
    @Option(help: "Sustained load: seconds measured, after the warm-up.") var duration = 60
    @Option(help: "Sustained load: seconds of warm-up, not counted.") var warmup = 10
    @Option(help: "Paced load: samples/s offered (each terminal a batch at even intervals).") var rate = 50_000
    @Option(help: "Paced load: seconds.") var pacedDuration = 40
    @Option(help: "Catch-up: samples each terminal holds after the outage.") var backlog = 1000
    @Option(help: "The collectors' max-concurrent-bodies.") var maxConcurrentBodies = 8
    @Option(help: "Ingest comparison: samples per variant.") var ingestSamples = 300_000
    @Option(help: "Ingest comparison: samples per batch.") var ingestBatch = 1000
    @Option(help: "Rollup queries: terminals of the seeded year (1,000: about 100 M samples).") var rollupTerminals = 1000
    @Option(help: "Rollup queries: warm calls timed after the first.") var queryRepeats = 9
    @Flag(help: "Run PostgreSQL without fsync (as the tests do); the default commits durably.") var noFsync = false
    @Flag(help: "Skip the HTTP load.") var skipLoad = false
    @Flag(help: "Skip the ingest comparison.") var skipIngest = false
    @Flag(help: "Skip the rollup queries.") var skipRollups = false

    func validate() throws {
        func check(_ value: Int, _ name: String, _ range: ClosedRange<Int>) throws {
            guard range.contains(value) else {
                throw ValidationError("--\(name) \(value) is out of range: give \(range.lowerBound)…\(range.upperBound)")
            }
        }
        try check(terminals, "terminals", 1...100_000)
        try check(sites, "sites", 1...terminals)
        try check(regions, "regions", 1...sites)
        try check(batchSize, "batch-size", 1...WireBatch.maxSamples)
        try check(connections, "connections", 1...100_000)
        try check(duration, "duration", 1...3600)
        try check(warmup, "warmup", 0...3600)
        try check(rate, "rate", 1...10_000_000)
        try check(pacedDuration, "paced-duration", 1...3600)
        try check(backlog, "backlog", 1...1_000_000)
        try check(maxConcurrentBodies, "max-concurrent-bodies", 1...4096)
        try check(ingestBatch, "ingest-batch", 1...WireBatch.maxSamples)
        try check(ingestSamples, "ingest-samples", ingestBatch...100_000_000)
        try check(rollupTerminals, "rollup-terminals", sites...100_000)
        try check(queryRepeats, "query-repeats", 1...1000)
    }

    func run() async throws {
        raiseDescriptorLimit()
        let settings = (noFsync ? ["fsync=off"] : ["fsync=on", "full_page_writes=on"])
            + ["max_connections=200", "shared_buffers=256MB"]
        say("smiley-fleet-bench: PostgreSQL \(settings.joined(separator: " ")); load average \(ProcessProbe.loadAverage())")
        let fleet = try await BenchFleet(postgresSettings: settings)
        do {
            if !skipLoad { try await load(fleet) }
            await fleet.stopServing()
            var logger = Logger(label: "smiley-fleet-bench")
            logger.logLevel = .critical
            if !skipIngest {
                say("\n== Inserting a batch: \(ingestSamples) samples in batches of \(ingestBatch), one after another, fresh database each")
                let figures = try await IngestVariants(postgres: fleet.postgres, samples: ingestSamples, batchSize: ingestBatch,
                                                       terminals: 10, logger: logger).run()
                for figure in figures {
                    say(String(format: "%@: %.0f samples/s, batch p50 %.1f ms, p99 %.1f ms (%d stored)", figure.name,
                               figure.samplesPerSecond, figure.batchMedianMs, figure.batchP99Ms, figure.stored))
                }
                say("load average \(ProcessProbe.loadAverage())")
            }
            if !skipRollups {
                say("\n== Fleet queries over a year of seeded rollups (\(rollupTerminals) terminals, \(sites) sites)")
                let figures = try await RollupQueries(postgres: fleet.postgres, terminals: rollupTerminals, sites: sites,
                                                      repeats: queryRepeats).run(log: say)
                say(String(format: "one site's year (rangeSummary, %d samples): first %.1f ms, warm median %.1f ms",
                           figures.siteYearSamples, figures.siteYearFirstMs, figures.siteYearMedianMs))
                say(String(format: "the fleet's day ranking (siteRanking, %d sites): first %.1f ms, warm median %.1f ms",
                           figures.rankedSites, figures.rankingFirstMs, figures.rankingMedianMs))
                say("load average \(ProcessProbe.loadAverage())")
            }
        } catch {
            await fleet.shutdown()
            throw error
        }
        await fleet.shutdown()
    }

    /// Sustained load, then the catch-up, then the counts checked against PostgreSQL's.
    private func load(_ fleet: BenchFleet) async throws {
        let started = ContinuousClock.now
        let made = try await fleet.makeOrganisation(sites: sites, regions: regions, terminals: terminals)
        say(String(format: "%d sites in %d regions, %d terminal credentials made in %.1f s", sites, regions, made.count,
                   (ContinuousClock.now - started).milliseconds / 1000))
        let url = try await fleet.startServing(collectors: 2, extraConfig: "max-concurrent-bodies: \(maxConcurrentBodies)\n")
        say("2 collectors (pids \(fleet.collectorProcesses)) behind HAProxy at \(url)")

        // Zones of the sites in turn (BenchFleet): Helsinki, Stockholm, Berlin, London, Madrid in winter.
        let offsets = [7200, 3600, 3600, 0, 3600]
        let firstMs: Int64 = 1_795_939_200_000  // 2026-11-30T06:00:00Z
        let simulated = made.enumerated().map { index, terminal in
            SimulatedTerminal(id: terminal.id, site: terminal.site, token: terminal.token,
                              utcOffsetSeconds: offsets[(index % sites) % regions % offsets.count], firstMs: firstMs)
        }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(2), read: .seconds(30)),
                                                     decompression: .disabled)
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        do {
            try await phases(fleet, simulated, client: client, url: url)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The three phases on `client`, then the counts and the collectors' memory.
    private func phases(_ fleet: BenchFleet, _ fleetTerminals: [SimulatedTerminal], client: HTTPClient, url: String) async throws {
        var simulated = fleetTerminals
        let phase = LoadPhase(client: client, url: url, batchSize: batchSize, giveUpAfter: .seconds(300))

        say("\n== Sustained: \(terminals) terminals, batches of \(batchSize), \(connections) connections, "
            + "\(warmup) s warm-up + \(duration) s measured; load average \(ProcessProbe.loadAverage())")
        let started = ContinuousClock.now
        let measureFrom = started + .seconds(warmup)
        let measureTo = measureFrom + .seconds(duration)
        var cpu = CPUShares(fleet)
        let fleetBefore = simulated
        async let sustainedRun = phase.run(fleetBefore, .until(measureTo))
        try await Task.sleep(until: measureFrom)
        cpu = CPUShares(fleet)
        try await Task.sleep(until: measureTo)
        let cpuSustained = cpu.since(fleet)
        let sustained = try await sustainedRun
        simulated = sustained.terminals
        let latencies = sustained.latencies
        say(String(format: "%.0f samples/s committed (receipts within the measured %d s); batch latency p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                   sustained.samplesPerSecond(from: measureFrom, to: measureTo), duration,
                   latencies.median, latencies.at(99), latencies.largest))
        say("answers: \(sustained.statuses); \(sustained.deliveries.count) batches, \(sustained.accepted) samples in all")
        say("CPU (cores busy) while measured: \(cpuSustained); load average \(ProcessProbe.loadAverage())")

        let every = Duration.seconds(Double(batchSize * terminals) / Double(rate))
        say(String(format: "\n== Paced: %d samples/s offered, each terminal a batch of %d every %.1f s, for %d s",
                   rate, batchSize, every.milliseconds / 1000, pacedDuration))
        cpu = CPUShares(fleet)
        let pacedStart = ContinuousClock.now
        let paced = try await phase.run(simulated, .paced(every: every, until: pacedStart + .seconds(pacedDuration)))
        let pacedCPU = cpu.since(fleet)
        simulated = paced.terminals
        say(String(format: "%.0f samples/s committed (receipts after the first interval); batch latency from due to receipt p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                   paced.samplesPerSecond(from: pacedStart + every, to: pacedStart + .seconds(pacedDuration)),
                   paced.latencies.median, paced.latencies.at(99), paced.latencies.largest))
        say("answers: \(paced.statuses)")
        say("CPU (cores busy): \(pacedCPU); load average \(ProcessProbe.loadAverage())")

        say("\n== Catch-up: every terminal holding \(backlog) samples, all starting at once (\(terminals * backlog) samples)")
        cpu = CPUShares(fleet)
        let catchUp = try await phase.run(simulated, .backlog(samples: backlog))
        let catchUpCPU = cpu.since(fleet)
        let seconds = (catchUp.ended - catchUp.started).milliseconds / 1000
        say(String(format: "all stored in %.1f s: %.0f samples/s; batch latency p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                   seconds, Double(catchUp.accepted) / seconds, catchUp.latencies.median, catchUp.latencies.at(99), catchUp.latencies.largest))
        say("answers: \(catchUp.statuses)")
        say("CPU (cores busy): \(catchUpCPU); load average \(ProcessProbe.loadAverage())")

        let receipts = sustained.accepted + paced.accepted + catchUp.accepted
        let sent = sustained.samples + paced.samples + catchUp.samples
        let counted = Int(try await fleet.postgres.psql(fleet.database, "SELECT count(*) FROM sample")) ?? -1
        let total = try await fleet.storage.acceptedTotal()
        say("\nreceipts: \(receipts) accepted of \(sent) sent; PostgreSQL: \(counted) samples stored, terminal totals \(total)")
        guard receipts == sent, counted == receipts, total == receipts else {
            throw BenchError("the counts differ: \(sent) sent, \(receipts) accepted by receipts, \(counted) stored, \(total) in the totals")
        }
        for (index, pid) in fleet.collectorProcesses.enumerated() {
            say(String(format: "collector %d: peak RSS (VmHWM) %.0f MiB, now %.0f MiB", index + 1,
                       ProcessProbe.memoryMiB(pid) ?? -1, ProcessProbe.memoryMiB(pid, "VmRSS") ?? -1))
        }
    }

    private func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

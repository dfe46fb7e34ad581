import Foundation
import SmileyCollector
import Testing
@testable import SmileyStore

/// Faults under load (issue #10, item 10): terminals — real `smileyd --sync-once` processes — keep
/// syncing new samples through HAProxy (examples/haproxy.cfg) to two smiley-collector processes on
/// one PostgreSQL while a collector is killed or the database restarted; afterwards every sample
/// is stored exactly once and every rollup equals a recount. The moments of the faults are the one
/// use of the wall clock: seeded random delays (SplitMix64), a stimulus; every wait for the system
/// is on an event (a collector saying it listens, HAProxy's request log showing a stored batch, a
/// process ending).
@Suite("Fleet faults: collectors killed, PostgreSQL restarted, terminals syncing through HAProxy", .serialized,
       .enabled(if: fleetTestsCanRun, fleetTestsNeed), .timeLimit(.minutes(5)))
struct FleetFaultTests {
    static let terminals = 4
    static let samplesPerRound = 400

    /// The terminals' rounds, run until `done`; each round's `smileyd --sync-once` must succeed.
    static func syncing(_ fleet: Fleet, until done: Observed<Bool>) -> Task<[String: [ProcessResult]], any Error> {
        let terminals = fleet.terminals
        return Task {
            try await withThrowingTaskGroup(of: (String, [ProcessResult]).self) { group in
                for terminal in terminals {
                    group.addTask { (terminal.id, try await terminal.keepSyncing(until: done, samplesPerRound: samplesPerRound)) }
                }
                var results: [String: [ProcessResult]] = [:]
                for try await (id, rounds) in group { results[id] = rounds }
                return results
            }
        }
    }

    static func expectEveryRoundSynced(_ results: [String: [ProcessResult]]) {
        for (id, rounds) in results.sorted(by: { $0.key < $1.key }) {
            for (index, round) in rounds.enumerated() {
                #expect(round.status == 0, "\(id), round \(index + 1): exit \(round.status): \(round.stdout) \(round.stderr)")
            }
        }
    }

    @Test("kill -9 of one of two collectors at random moments, 20 times, while 4 terminals sync through HAProxy: every sample exactly once")
    func killCollectors() async throws {
        let fleet = try await Fleet.start(terminals: Self.terminals, batchSize: 40)
        let done = Observed(false)
        do {
            var random = SplitMix64(seed: 0x5EED_0010_0A11)
            let syncing = Self.syncing(fleet, until: done)
            var killed = [0, 0]
            for _ in 0..<20 {
                // Stimulus: a seeded random moment of the stream.
                try await Task.sleep(for: .milliseconds(Int.random(in: 20...400, using: &random)))
                let victim = Int.random(in: 0..<2, using: &random)
                await fleet.collectors[victim].kill9()
                killed[victim] += 1
                try await fleet.collectors[victim].start()
                // The next kill once batches are stored again after this restart.
                let mark = fleet.balancer.output.count
                #expect(await fleet.balancer.awaitAnswer(200, to: "/v1/batches", from: mark), "\(fleet.balancer.output.tail())")
            }
            done.set(true)
            let results = try await syncing.value
            Self.expectEveryRoundSynced(results)
            let total = try await fleet.expectEverySampleExactlyOnce()
            // Every rollup row (hourly and daily) equal to a recount from the stored samples.
            let mismatches = try await fleet.storage.rollupMismatches()
            #expect(mismatches.isEmpty, "rollups differing from a recount: \(mismatches.prefix(10))")
            let rounds = results.values.map(\.count).reduce(0, +)
            #expect(total == rounds * Self.samplesPerRound)
            #expect(fleet.batchesStored(by: 0) > 0 && fleet.batchesStored(by: 1) > 0)
            let answers = fleet.batchAnswers()
            // The kills met requests: HAProxy sent some again to the other collector, or a terminal
            // was answered otherwise than 200 (and sent again itself).
            #expect(answers.retried + answers.statuses.filter { $0.key != 200 }.values.reduce(0, +) > 0, "\(answers)")
            print("fleet kill -9: kills per collector \(killed), \(rounds) rounds, \(total) samples, batches stored per collector \(fleet.batchesStored(by: 0)), \(fleet.batchesStored(by: 1)); answers to batches \(answers.statuses), sent again by HAProxy \(answers.retried)")
        } catch {
            // The terminals end after their current round.
            done.set(true)
            await fleet.shutdown()
            throw error
        }
        await fleet.shutdown()
    }

    @Test("PostgreSQL restarted 5 times mid-stream while 4 terminals sync through HAProxy: the collectors live on, every sample exactly once")
    func restartPostgres() async throws {
        let fleet = try await Fleet.start(terminals: Self.terminals, batchSize: 40)
        let done = Observed(false)
        do {
            var random = SplitMix64(seed: 0x5EED_0010_0B22)
            let syncing = Self.syncing(fleet, until: done)
            for _ in 0..<5 {
                // Stimulus: a seeded random moment of the stream, and a seeded random outage.
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...800, using: &random)))
                try await fleet.postgres.stop()
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...500, using: &random)))
                try await fleet.postgres.start()
                // The next restart once batches are stored again after this one.
                let mark = fleet.balancer.output.count
                #expect(await fleet.balancer.awaitAnswer(200, to: "/v1/batches", from: mark), "\(fleet.balancer.output.tail())")
            }
            done.set(true)
            let results = try await syncing.value
            Self.expectEveryRoundSynced(results)
            let running = fleet.collectors.map(\.isRunning)
            #expect(running == [true, true], "collectors running after the restarts: \(running)")
            let total = try await fleet.expectEverySampleExactlyOnce()
            // Every rollup row (hourly and daily) equal to a recount from the stored samples.
            let mismatches = try await fleet.storage.rollupMismatches()
            #expect(mismatches.isEmpty, "rollups differing from a recount: \(mismatches.prefix(10))")
            let rounds = results.values.map(\.count).reduce(0, +)
            #expect(total == rounds * Self.samplesPerRound)
            let answers = fleet.batchAnswers()
            // The restarts met requests: some batches were answered 503 (and sent again by their terminal).
            #expect(answers.statuses[503, default: 0] > 0, "\(answers)")
            print("fleet PostgreSQL restarts: \(rounds) rounds, \(total) samples, batches stored per collector \(fleet.batchesStored(by: 0)), \(fleet.batchesStored(by: 1)); answers to batches \(answers.statuses), sent again by HAProxy \(answers.retried)")
        } catch {
            // The terminals end after their current round.
            done.set(true)
            await fleet.shutdown()
            throw error
        }
        await fleet.shutdown()
    }
}

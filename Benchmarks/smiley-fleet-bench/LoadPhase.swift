import AsyncHTTPClient

/// Every terminal sending at once, each one batch after another (a terminal waits for a batch's
/// receipt before its next, as smileyd does): until a time (sustained load) or until each has
/// sent a backlog of samples (catch-up after an outage).
struct LoadPhase {
    enum Extent {
        /// New batches are started until this instant; those in flight finish.
        case until(ContinuousClock.Instant)
        /// Each terminal sends this many samples, then stops.
        case backlog(samples: Int)
        /// Each terminal starts a batch every `every` (from a random moment in the first), until
        /// `until`; a batch's latency counts from when it was due, so a late one shows it.
        case paced(every: Duration, until: ContinuousClock.Instant)
    }

    struct Outcome {
        var started: ContinuousClock.Instant
        var ended: ContinuousClock.Instant
        var deliveries: [SimulatedTerminal.Delivery]
        /// The terminals as they are after the phase (their next sample times advanced).
        var terminals: [SimulatedTerminal]
    }

    let client: HTTPClient
    let url: String
    let batchSize: Int
    /// A batch not committed within this is a failure of the run.
    let giveUpAfter: Duration

    func run(_ terminals: [SimulatedTerminal], _ extent: Extent) async throws -> Outcome {
        let started = ContinuousClock.now
        let (client, url, batchSize, giveUpAfter) = (self.client, self.url, self.batchSize, self.giveUpAfter)
        var after = terminals
        var deliveries: [SimulatedTerminal.Delivery] = []
        try await withThrowingTaskGroup(of: (Int, SimulatedTerminal, [SimulatedTerminal.Delivery]).self) { group in
            for (index, start) in terminals.enumerated() {
                group.addTask {
                    var terminal = start
                    var done: [SimulatedTerminal.Delivery] = []
                    var left = Int.max
                    var due: ContinuousClock.Instant?
                    switch extent {
                    case .backlog(let samples): left = samples
                    case .paced(let every, _): due = started + every * Double.random(in: 0..<1)
                    case .until: break
                    }
                    while left > 0 {
                        if case .until(let end) = extent, ContinuousClock.now >= end { break }
                        if case .paced(let every, let end) = extent, let next = due {
                            guard next < end else { break }
                            try await Task.sleep(until: next)
                            due = next + every
                        }
                        let batch = terminal.makeBatch(min(batchSize, left))
                        left -= batch.samples.count
                        let sentAt = ContinuousClock.now
                        var delivery = try await terminal.deliver(batch, client: client, url: url, giveUp: .now + giveUpAfter)
                        if case .paced(let every, _) = extent, let next = due {
                            delivery.latency += sentAt - (next - every)
                        }
                        done.append(delivery)
                    }
                    return (index, terminal, done)
                }
            }
            for try await (index, terminal, done) in group {
                after[index] = terminal
                deliveries.append(contentsOf: done)
            }
        }
        return Outcome(started: started, ended: .now, deliveries: deliveries, terminals: after)
    }
}

extension LoadPhase.Outcome {
    /// Samples committed (by the receipts) whose receipt came within `from`…`to`, per second.
    func samplesPerSecond(from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> Double {
        let accepted = deliveries.filter { $0.finished >= from && $0.finished <= to }.map(\.accepted).reduce(0, +)
        return Double(accepted) / ((to - from).milliseconds / 1000)
    }

    var accepted: Int { deliveries.map(\.accepted).reduce(0, +) }
    var samples: Int { deliveries.map(\.samples).reduce(0, +) }
    var latencies: Percentiles { Percentiles(deliveries.map(\.latency.milliseconds)) }

    /// Every answer by status, over all batches (`200 ×…; 503 the collector is … ×…; error ×…`).
    var statuses: String {
        var total: [String: Int] = [:]
        for delivery in deliveries { total.merge(delivery.statuses, uniquingKeysWith: +) }
        return total.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: "; ")
    }
}

import Synchronization

/// A bound on how long one storage call may take: PostgresNIO's pool queues requests while it
/// cannot connect, so without it a request would wait as long as the database is away. The
/// clock is injected (tests advance theirs).
struct StorageDeadline: Sendable {
    /// The call did not finish in time.
    struct Expired: Error, CustomStringConvertible {
        var seconds: Double
        var description: String { "the database did not answer within \(seconds) s" }
    }

    let timeout: Duration
    let sleep: @Sendable (Duration) async throws -> Void

    init<C: Clock>(timeout: Duration, clock: C) where C.Duration == Duration {
        self.timeout = timeout
        self.sleep = { duration in try await clock.sleep(for: duration) }
    }

    /// `operation`'s result, or ``Expired`` once the timeout passes (the operation is then
    /// cancelled; the caller does not wait for it to wind down).
    func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = DeadlineRace<T>()
        let timeout = self.timeout, sleep = self.sleep
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.begin(continuation)
                let work = Task {
                    let result: Result<T, any Error>
                    do { result = .success(try await operation()) } catch { result = .failure(error) }
                    if race.finish(result) { race.timer?.cancel() }
                }
                let timer = Task {
                    guard (try? await sleep(timeout)) != nil else { return }
                    let (seconds, attoseconds) = timeout.components
                    if race.finish(.failure(Expired(seconds: Double(seconds) + Double(attoseconds) / 1e18))) {
                        race.work?.cancel()
                    }
                }
                race.record(work: work, timer: timer)
            }
        } onCancel: {
            race.work?.cancel()
            race.timer?.cancel()
            _ = race.finish(.failure(CancellationError()))
        }
    }
}

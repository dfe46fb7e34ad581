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
        let race = Race<T>()
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

/// The state ``StorageDeadline/run(_:)`` shares between the caller, the work and the timer:
/// whichever ends first answers, once.
final class Race<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, work: Task<Void, Never>?, timer: Task<Void, Never>?)>((nil, nil, nil))

    var work: Task<Void, Never>? { state.withLock { $0.work } }
    var timer: Task<Void, Never>? { state.withLock { $0.timer } }

    func begin(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Records the tasks; cancels the timer when the work has already answered.
    func record(work: Task<Void, Never>, timer: Task<Void, Never>) {
        let answered = state.withLock { state -> Bool in
            state.work = work
            state.timer = timer
            return state.continuation == nil
        }
        if answered { timer.cancel() }
    }

    /// Answers with `result` unless already answered; whether it did.
    func finish(_ result: Result<T, any Error>) -> Bool {
        guard let continuation = state.withLock({ state in defer { state.continuation = nil }; return state.continuation }) else {
            return false
        }
        continuation.resume(with: result)
        return true
    }
}

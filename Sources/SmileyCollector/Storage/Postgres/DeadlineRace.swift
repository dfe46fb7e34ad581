import Synchronization

/// The state ``StorageDeadline/run(_:)`` shares between the caller, the work and the timer:
/// whichever ends first answers, once.
final class DeadlineRace<T: Sendable>: Sendable {
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

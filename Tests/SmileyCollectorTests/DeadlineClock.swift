import Synchronization

/// A clock for the storage's deadline whose time stands still until the test says the deadline has
/// come: after ``expire()`` every sleep (current and later) ends at once, after ``freeze()`` none does.
/// A test puts the database away and expires the clock: every waiting call gives up now.
final class DeadlineClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct State {
        var expired = false
        var nextID = 0
        var sleepers: [Int: CheckedContinuation<Void, any Error>] = [:]
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    var now: Instant { Instant(offset: .zero) }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume: (any Error)?? = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return .some(CancellationError()) }
                    if state.expired { return .some(nil) }
                    state.sleepers[id] = continuation
                    return .none
                }
                switch resume {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return sleeper
            }
            sleeper?.resume(throwing: CancellationError())
        }
    }

    /// Every deadline has come: sleepers wake now, later sleeps end at once.
    func expire() {
        let sleepers = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.expired = true
            defer { state.sleepers = [:] }
            return Array(state.sleepers.values)
        }
        for sleeper in sleepers { sleeper.resume() }
    }

    /// Time stands still again: sleeps wait until the next ``expire()``.
    func freeze() {
        state.withLock { $0.expired = false }
    }
}

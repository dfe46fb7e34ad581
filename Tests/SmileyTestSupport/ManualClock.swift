import Synchronization

/// A clock that moves only when a test advances it: sleepers wake when it passes their deadline.
public final class ManualClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Swift.Duration
        public init(offset: Swift.Duration) { self.offset = offset }
        public func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Watcher {
        var condition: @Sendable ([Swift.Duration]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var nextID = 0
        var cancelled: Set<Int> = []
        var watchers: [Watcher] = []

        /// The watchers whose condition now holds, removed.
        mutating func satisfiedWatchers() -> [Watcher] {
            let deadlines = sleepers.map(\.deadline.offset).sorted()
            let satisfied = watchers.filter { $0.condition(deadlines) }
            watchers.removeAll { $0.condition(deadlines) }
            return satisfied
        }
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Swift.Duration { .zero }
    /// Time advanced since the start.
    public var elapsed: Swift.Duration { now.offset }

    /// Returns once the deadlines of the tasks sleeping on this clock (offsets from the start,
    /// sorted) satisfy `condition`: a test awaits "the timer is armed for 300 ms" instead of polling.
    public func waitUntilSleepers(_ condition: @escaping @Sendable ([Swift.Duration]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let holds = state.withLock { state -> Bool in
                if condition(state.sleepers.map(\.deadline.offset).sorted()) { return true }
                state.watchers.append(Watcher(condition: condition, continuation: continuation))
                return false
            }
            if holds { continuation.resume() }
        }
    }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, watchers): ((any Error)??, [Watcher]) = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return (.some(CancellationError()), []) }
                    if deadline <= state.now { return (.some(nil), []) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return (.none, state.satisfiedWatchers())
                }
                for watcher in watchers { watcher.continuation.resume() }
                switch resumeNow {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            let (sleeper, watchers) = state.withLock { state -> (Sleeper?, [Watcher]) in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return (nil, [])
                }
                let sleeper = state.sleepers.remove(at: index)
                return (sleeper, state.satisfiedWatchers())
            }
            sleeper?.continuation.resume(throwing: CancellationError())
            for watcher in watchers { watcher.continuation.resume() }
        }
    }

    /// Moves time on and wakes every sleeper whose deadline it passes.
    public func advance(by duration: Swift.Duration) {
        let (due, watchers) = state.withLock { state -> ([Sleeper], [Watcher]) in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return (due, due.isEmpty ? [] : state.satisfiedWatchers())
        }
        for sleeper in due { sleeper.continuation.resume() }
        for watcher in watchers { watcher.continuation.resume() }
    }

    /// Moves time on to `offset` from the start (never back).
    public func advance(to offset: Swift.Duration) {
        advance(by: max(.zero, offset - elapsed))
    }
}

import Dispatch
import Synchronization

/// State that one side changes and a test awaits: the test is told when its condition holds, and
/// never sleeps for it. The bound of ``wait(upTo:until:)`` only ends a wait whose event never
/// comes (the caller then fails the test); a passing test never reaches it.
public final class Observed<State: Sendable>: Sendable {
    private struct Waiter {
        var id: Int
        var predicate: @Sendable (State) -> Bool
        var continuation: CheckedContinuation<State?, Never>
    }

    private let state: Mutex<(value: State, waiters: [Waiter], nextID: Int)>

    public init(_ initial: State) {
        state = Mutex((initial, [], 0))
    }

    public var value: State { state.withLock { $0.value } }

    /// Changes the state and wakes every waiter whose condition now holds.
    @discardableResult
    public func update<Result>(_ change: (inout State) -> Result) -> Result {
        let (result, ready, value) = state.withLock { state -> (Result, [Waiter], State) in
            let result = change(&state.value)
            let value = state.value
            let ready = state.waiters.filter { $0.predicate(value) }
            state.waiters.removeAll { $0.predicate(value) }
            return (result, ready, value)
        }
        for waiter in ready { waiter.continuation.resume(returning: value) }
        return result
    }

    public func set(_ value: State) { update { $0 = value } }

    /// The state once `predicate` holds (at once if it already does); nil if it still does not
    /// after `bound`.
    public func wait(upTo bound: Duration = .seconds(30),
                     until predicate: @escaping @Sendable (State) -> Bool) async -> State? {
        let result = await waitOnce(upTo: bound, until: predicate)
        if let result { return result }
        // Once more after the bound: the change may have been made while this task waited for a
        // thread to run on.
        let last = value
        return predicate(last) ? last : nil
    }

    private func waitOnce(upTo bound: Duration, until predicate: @escaping @Sendable (State) -> Bool) async -> State? {
        await withCheckedContinuation { continuation in
            let (now, id) = state.withLock { state -> (State?, Int) in
                if predicate(state.value) { return (state.value, -1) }
                let id = state.nextID
                state.nextID += 1
                state.waiters.append(Waiter(id: id, predicate: predicate, continuation: continuation))
                return (nil, id)
            }
            if let now {
                continuation.resume(returning: now)
                return
            }
            let (seconds, attoseconds) = bound.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
                let expired = state.withLock { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index)
                }
                expired?.continuation.resume(returning: nil)
            }
        }
    }

    /// Whether `predicate` holds within `bound`.
    public func holds(within bound: Duration = .seconds(30), _ predicate: @escaping @Sendable (State) -> Bool) async -> Bool {
        await wait(upTo: bound, until: predicate) != nil
    }
}

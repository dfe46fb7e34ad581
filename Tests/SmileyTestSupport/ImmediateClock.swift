import Synchronization

/// A clock on which every sleep is over at once (time jumps to its deadline): backoffs and
/// windows pass without waiting.
public final class ImmediateClock: Clock, Sendable {
    public typealias Instant = ManualClock.Instant

    private let current = Mutex(Instant(offset: .zero))

    public init() {}

    public var now: Instant { current.withLock { $0 } }
    public var minimumResolution: Swift.Duration { .zero }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
        await Task.yield()
        try Task.checkCancellation()
    }
}

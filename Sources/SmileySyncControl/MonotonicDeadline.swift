import SmileyPlatform

/// A deadline on the monotonic clock.
public struct MonotonicDeadline: Sendable {
    public let ns: UInt64

    public init(seconds: Int) {
        ns = Self.now() + UInt64(seconds) * 1_000_000_000
    }

    public var remainingNs: UInt64 {
        let now = Self.now()
        return ns > now ? ns - now : 0
    }

    static func now() -> UInt64 {
        MonotonicClock.nowNs()
    }
}

import SmileyCore
#if canImport(Glibc)
import Glibc
#endif

/// The system's clocks: the one place the product reads CLOCK_REALTIME and CLOCK_MONOTONIC.
public struct SystemTime: TimeSource {
    public init() {}

    /// Milliseconds since 1970 (UTC).
    public func wallNowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// CLOCK_MONOTONIC in nanoseconds: the clock libgpiod stamps edge events with.
    public func monotonicNowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

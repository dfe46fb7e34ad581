import SmileyCore

/// CLOCK_MONOTONIC in nanoseconds: ``SystemTime``'s, for code with no injected ``TimeSource``.
public enum MonotonicClock {
    public static func nowNs() -> UInt64 { SystemTime().monotonicNowNs() }
}

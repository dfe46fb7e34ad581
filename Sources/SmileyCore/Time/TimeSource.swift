/// The two clocks the product reads: the wall clock (UTC, ms since 1970: what samples record)
/// and the monotonic clock (CLOCK_MONOTONIC, ns: what libgpiod stamps edges with and what
/// timeouts measure). Production reads `SystemTime` (SmileyPlatform); tests inject a
/// ``ManualTime`` and move it themselves instead of waiting.
public protocol TimeSource: Sendable {
    func wallNowMs() -> Int64
    func monotonicNowNs() -> UInt64
}

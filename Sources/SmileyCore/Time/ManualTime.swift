import Synchronization

/// A ``TimeSource`` that moves only when told: tests set or advance it instead of sleeping.
public final class ManualTime: TimeSource {
    private let state: Mutex<(wallMs: Int64, monotonicNs: UInt64)>

    public init(wallMs: Int64, monotonicNs: UInt64 = 1_000_000_000) {
        state = Mutex((wallMs, monotonicNs))
    }

    public func wallNowMs() -> Int64 { state.withLock { $0.wallMs } }
    public func monotonicNowNs() -> UInt64 { state.withLock { $0.monotonicNs } }

    /// Both clocks move forward by `ms`.
    public func advance(ms: UInt32) {
        state.withLock {
            $0.wallMs += Int64(ms)
            $0.monotonicNs += UInt64(ms) * 1_000_000
        }
    }

    /// The wall clock alone jumps (an NTP step, a wrong RTC corrected); the monotonic one does not.
    public func setWall(ms: Int64) {
        state.withLock { $0.wallMs = ms }
    }
}

import SmileyCore
import SmileyPlatform

/// The clocks and system facts the daemon reads; tests inject their own.
public struct DaemonEnvironment: Sendable {
    public var monotonicNowNs: @Sendable () -> UInt64
    public var wallNowMs: @Sendable () -> Int64
    public var clockSynchronized: @Sendable () -> Bool
    public var bootID: String
    /// How often to ask the kernel again while the clock is not synchronized (seconds).
    public var clockRecheckSeconds: Double

    /// Clocks from a ``TimeSource`` (a test's ``ManualTime``, or the system's).
    public init(time: some TimeSource, clockSynchronized: @escaping @Sendable () -> Bool, bootID: String,
                clockRecheckSeconds: Double) {
        self.init(monotonicNowNs: { time.monotonicNowNs() }, wallNowMs: { time.wallNowMs() },
                  clockSynchronized: clockSynchronized, bootID: bootID, clockRecheckSeconds: clockRecheckSeconds)
    }

    public init(monotonicNowNs: @escaping @Sendable () -> UInt64, wallNowMs: @escaping @Sendable () -> Int64,
                clockSynchronized: @escaping @Sendable () -> Bool, bootID: String, clockRecheckSeconds: Double) {
        self.monotonicNowNs = monotonicNowNs
        self.wallNowMs = wallNowMs
        self.clockSynchronized = clockSynchronized
        self.bootID = bootID
        self.clockRecheckSeconds = clockRecheckSeconds
    }

    /// The real system.
    public static let system = DaemonEnvironment(
        time: SystemTime(),
        clockSynchronized: { ClockSynchronization.isSynchronized() },
        bootID: BootID.current(),
        clockRecheckSeconds: 60)
}

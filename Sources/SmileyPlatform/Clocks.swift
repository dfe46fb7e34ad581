import CSmileySystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC in nanoseconds: the clock libgpiod stamps edge events with.
public enum MonotonicClock {
    public static func nowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// The system's wall clock in milliseconds since 1970 (UTC).
public enum WallClock {
    public static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Whether the wall clock can be trusted: NTP-synchronized.
public enum ClockSynchronization {
    /// The flag file systemd-timesyncd creates once it has synchronized the clock.
    public static let timesyncFlag = "/run/systemd/timesync/synchronized"

    /// True when systemd-timesyncd says so, or when the kernel's NTP state (adjtimex) is synchronized.
    public static func isSynchronized(timesyncFlag: String = timesyncFlag) -> Bool {
        if FileManager.default.fileExists(atPath: timesyncFlag) { return true }
        return smiley_kernel_clock_synchronized() == 1
    }
}

/// The kernel's random boot id: monotonic times compare only within one boot.
public enum BootID {
    public static func current(path: String = "/proc/sys/kernel/random/boot_id") -> String {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !id.isEmpty { return id }
        }
        return "unknown-boot"
    }
}

import CSmileySystem
import Foundation

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

import CGPIOD
import Foundation
import SmileyConfig
import SmileyPlatform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A line the daemon drives, such as an acknowledgement LED.
public protocol IndicatorLine: Sendable {
    /// For logs: `ack-line gpiochip0:26 [pinctrl-bcm2711] "GPIO26"`.
    var description: String { get }
    /// Drives the line: true = active (LED on).
    func set(_ on: Bool) throws(InputError)
    /// Drives it inactive and gives it back to the kernel; later ``set(_:)`` calls do nothing.
    func release()
}

/// A GPIO line requested as an output, initially inactive (LED off). Requested at once, so a
/// missing, busy or forbidden line is reported before the daemon is ready; released on
/// ``release()`` or deinit.
public final class GPIOOutputLine: IndicatorLine, @unchecked Sendable {
    public let line: ResolvedLine
    private let state: Mutex<(chip: GPIOChip?, request: OpaquePointer?)>

    /// - Parameters:
    ///   - role: `ack-line` or `misuse-line`, for messages.
    ///   - activeLow: true when the LED lights with the line low (wired to 3.3 V).
    public init(spec: LineSpec, role: String, activeLow: Bool = false, consumer: String = "smileyd",
                scan: GPIOChipScan? = nil) throws(InputError) {
        let scan = scan ?? GPIOChipScan.scan()
        let resolved = try GPIOLineResolver(scan: scan).resolve(spec, user: role)
        let chip: GPIOChip
        do {
            chip = try GPIOChip(path: resolved.chipPath)
        } catch {
            throw GPIOLineResolver.openError(path: resolved.chipPath, errno: error.errno)
        }
        guard let request = smiley_gpio_request_output(chip.handle, consumer, UInt32(resolved.offset), activeLow ? 1 : 0, 0) else {
            throw GPIOErrors.requestFailed(line: resolved, errno: errno, chip: chip)
        }
        self.line = resolved
        self.state = Mutex((chip, request))
    }

    deinit { release() }

    public var description: String { "\(line.user) \(line.location)" }

    public func set(_ on: Bool) throws(InputError) {
        let failure = state.withLock { state -> Int32? in
            guard let request = state.request else { return nil }
            return smiley_gpio_request_set_value(request, UInt32(line.offset), on ? 1 : 0) < 0 ? errno : nil
        }
        if let failure {
            throw .system(source: "gpio", call: "set \(line.user) \(line.location)", errno: failure)
        }
    }

    public func release() {
        state.withLock { state in
            guard let request = state.request else { return }
            _ = smiley_gpio_request_set_value(request, UInt32(line.offset), 0)
            smiley_gpio_request_release(request)
            state.request = nil
            state.chip = nil
        }
    }
}

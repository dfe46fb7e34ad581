import CGPIOD
import Foundation
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Which libgpiod this build talks to (decided at compile time by the gpiod.h it saw).
public enum GPIOLibrary {
    /// 1 (libgpiod 1.6, bookworm) or 2 (libgpiod 2.x, trixie).
    public static var apiMajor: Int { Int(smiley_gpiod_api_major()) }
    /// The library's version string, e.g. `1.6.3` or `2.3`.
    public static var version: String { String(cString: smiley_gpiod_version()) }
    /// True on 2.x: the kernel debounces the requested lines (the v1 uAPI of 1.6 cannot).
    public static var kernelDebounce: Bool { smiley_gpiod_kernel_debounce() == 1 }
}

/// What a GPIO chip is called and what its lines are called, as read from its character device.
public struct GPIOChipDescription: Sendable, Hashable {
    /// `/dev/gpiochip0`.
    public var path: String
    /// `gpiochip0`.
    public var name: String
    /// `pinctrl-bcm2711`, `pinctrl-rp1`, `gpio-sim.0-node0`.
    public var label: String
    /// Line names by offset; "" for an unnamed line.
    public var lineNames: [String]

    public init(path: String, name: String, label: String, lineNames: [String]) {
        self.path = path
        self.name = name
        self.label = label
        self.lineNames = lineNames
    }

    /// `gpiochip0 [pinctrl-bcm2711] 58 lines: GPIO0 GPIO1 …`.
    var summary: String {
        let named = lineNames.filter { !$0.isEmpty }
        var text = "\(name) [\(label)] \(lineNames.count) line\(lineNames.count == 1 ? "" : "s")"
        if named.isEmpty {
            text += ", none named (use \(name):OFFSET)"
        } else {
            let shown = named.prefix(64)
            text += ": " + shown.joined(separator: " ") + (named.count > shown.count ? " …" : "")
        }
        return text
    }
}

/// The GPIO chips of this system: the character devices `gpiochip*` in `/dev` (symlinks skipped,
/// as libgpiod does; never a hard-coded chip number), each opened once to read its names.
public struct GPIOChipScan: Sendable {
    public var chips: [GPIOChipDescription]
    /// Devices that could not be opened, with errno (EACCES: not permitted).
    public var unopenable: [(path: String, errno: Int32)]
    public let devDirectory: String

    public init(chips: [GPIOChipDescription], unopenable: [(path: String, errno: Int32)] = [], devDirectory: String = "/dev") {
        self.chips = chips
        self.unopenable = unopenable
        self.devDirectory = devDirectory
    }

    /// Scans `devDirectory` (default `/dev`).
    public static func scan(devDirectory: String = "/dev") -> GPIOChipScan {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: devDirectory)) ?? []
        var chips: [GPIOChipDescription] = []
        var unopenable: [(path: String, errno: Int32)] = []
        for entry in entries.sorted(by: chipOrder) where entry.hasPrefix("gpiochip") {
            let path = (devDirectory as NSString).appendingPathComponent(entry)
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFCHR else { continue }
            do {
                let chip = try GPIOChip(path: path)
                chips.append(try chip.describe())
            } catch {
                unopenable.append((path, error.errno))
            }
        }
        return GPIOChipScan(chips: chips, unopenable: unopenable, devDirectory: devDirectory)
    }

    /// gpiochip2 before gpiochip10.
    static func chipOrder(_ a: String, _ b: String) -> Bool {
        let na = Int(a.dropFirst("gpiochip".count)), nb = Int(b.dropFirst("gpiochip".count))
        if let na, let nb { return na < nb }
        return a < b
    }

    /// For error messages: the chips and their named lines.
    public var availableDescription: String {
        var parts: [String] = []
        if chips.isEmpty {
            parts.append("no GPIO chip could be read in \(devDirectory)")
        } else {
            parts.append("chips: " + chips.map(\.summary).joined(separator: "; "))
        }
        if !unopenable.isEmpty {
            parts.append("not readable: " + unopenable.map { "\($0.path) (\(String(cString: strerror($0.errno))))" }
                .joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }
}

/// An open GPIO character device. Not thread-safe: one owner at a time.
final class GPIOChip {
    let path: String
    let handle: OpaquePointer

    /// Opens the device; throws the failed call's errno.
    init(path: String) throws(SystemCallError) {
        self.path = path
        guard let handle = smiley_gpio_chip_open(path) else {
            throw SystemCallError(call: "open \(path)", errno: errno)
        }
        self.handle = handle
    }

    deinit { smiley_gpio_chip_close(handle) }

    func describe() throws(SystemCallError) -> GPIOChipDescription {
        var info = smiley_gpio_chip_info()
        guard smiley_gpio_chip_get_info(handle, &info) == 0 else {
            throw SystemCallError(call: "chip info \(path)", errno: errno)
        }
        var names: [String] = []
        names.reserveCapacity(Int(info.num_lines))
        for offset in 0..<info.num_lines {
            names.append((try? lineInfo(Int(offset)).name) ?? "")
        }
        return GPIOChipDescription(path: path, name: Self.text(info.name), label: Self.text(info.label), lineNames: names)
    }

    struct LineInfo {
        var name: String
        var consumer: String
        var used: Bool
        var output: Bool
    }

    func lineInfo(_ offset: Int) throws(SystemCallError) -> LineInfo {
        var info = smiley_gpio_line_info()
        guard smiley_gpio_chip_get_line_info(handle, UInt32(offset), &info) == 0 else {
            throw SystemCallError(call: "line info \(path):\(offset)", errno: errno)
        }
        return LineInfo(name: Self.text(info.name), consumer: Self.text(info.consumer),
                        used: info.used != 0, output: info.output != 0)
    }

    /// A fixed C char array as a String.
    static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Explains a failure to open or request GPIO lines as the right ``InputError``.
enum GPIOErrors {
    /// EACCES/EPERM on a device: who owns it and what grants access.
    static func permissionDenied(device: String) -> InputError {
        var status = stat()
        var owner = "unknown"
        var mode = "unknown"
        var group = "gpio"
        if stat(device, &status) == 0 {
            let user = getpwuid(status.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "\(status.st_uid)"
            let groupName = getgrgid(status.st_gid).map { String(cString: $0.pointee.gr_name) } ?? "\(status.st_gid)"
            owner = "\(user):\(groupName)"
            mode = String(format: "%04o", Int(status.st_mode & 0o7777))
            group = groupName
        }
        let me = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(geteuid())"
        let remedy: String
        if group != "root" {
            remedy = "smileyd runs as \(me), who is not in group \(group); add it (usermod -aG \(group) \(me)) or, "
                + "under systemd, set SupplementaryGroups=\(group) in the unit (Raspberry Pi OS's udev rule "
                + "99-com.rules gives /dev/gpiochip* to group gpio)"
        } else {
            remedy = "smileyd runs as \(me) and the device belongs to root only; add a udev rule "
                + "/etc/udev/rules.d/60-smiley-gpio.rules with SUBSYSTEM==\"gpio\", KERNEL==\"gpiochip*\", "
                + "GROUP=\"gpio\", MODE=\"0660\" (then udevadm trigger), and run smileyd in group gpio "
                + "(SupplementaryGroups=gpio)"
        }
        return .gpioPermissionDenied(device: device, owner: owner, mode: mode, remedy: remedy)
    }

    /// A request failed: busy (with its holder), permission, or another errno.
    static func requestFailed(line: ResolvedLine, errno code: Int32, chip: GPIOChip?) -> InputError {
        switch code {
        case EBUSY:
            let consumer = (try? chip?.lineInfo(line.offset).consumer) ?? ""
            return .gpioLineBusy(line: line.spec.description, user: line.user, location: line.location,
                                 consumer: consumer)
        case EACCES, EPERM:
            return permissionDenied(device: line.chipPath)
        default:
            return .system(source: "gpio", call: "request \(line.spec) (\(line.location))", errno: code)
        }
    }
}

import CGPIOD
import Foundation
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

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

import Foundation

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

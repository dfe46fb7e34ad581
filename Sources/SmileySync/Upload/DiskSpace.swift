import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Free space on the database's file system, and whether it is running low.
public enum DiskSpace {
    /// Low: under 100 MiB, or under 5 % of the file system, available to the daemon.
    public static let lowBytes: Int64 = 100 * 1024 * 1024
    public static let lowFraction = 0.05

    public static func check(path: String) -> (freeBytes: Int64?, warning: String?) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return (nil, nil) }
        let blockSize = Int64(info.f_frsize == 0 ? info.f_bsize : info.f_frsize)
        let available = Int64(info.f_bavail) * blockSize
        let total = Int64(info.f_blocks) * blockSize
        let fraction = total > 0 ? Double(available) / Double(total) : 1
        guard available < lowBytes || fraction < lowFraction else { return (available, nil) }
        let mib = Double(available) / 1_048_576
        let warning = String(format: "low disk space for %@: %.1f MiB free (%.1f %%); synced samples past retention-days are pruned, unsynced ones are kept",
                             folder, mib, fraction * 100)
        return (available, warning)
    }
}

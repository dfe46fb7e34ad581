import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Gives back the code pages smileyd touched while starting.
///
/// Starting a Swift program touches code it never runs again — the dynamic loader relocating a
/// 150 MB static binary, the runtime's and libraries' first-use set-up — and Linux maps 64 KiB
/// around every page it faults in (fault-around). Of an idle smileyd's ~31 MB resident set ~25 MB
/// were such clean pages of its own executable. ``release()`` drops this process's page-table
/// entries for its executable code mappings (`r-xp`, file-backed) with `madvise(MADV_DONTNEED)`.
/// Code is never written, so nothing changes but the resident set: the pages stay in the page
/// cache, and whatever runs again is mapped again on its next use (a minor fault, microseconds;
/// the first press after start pays it once). Writable and relocated (RELRO) mappings, whose
/// private copies hold the relocations, are left alone.
public enum StartupPages {
    public struct Released: Sendable, Equatable {
        public var mappings: Int
        public var bytes: Int
    }

    @discardableResult
    public static func release(mapsPath: String = "/proc/self/maps") -> Released {
        var released = Released(mappings: 0, bytes: 0)
        guard let maps = try? String(contentsOfFile: mapsPath, encoding: .utf8) else { return released }
        for region in codeRegions(inMaps: maps) {
            guard let start = UnsafeMutableRawPointer(bitPattern: region.lowerBound) else { continue }
            if madvise(start, region.count, MADV_DONTNEED) == 0 {
                released.mappings += 1
                released.bytes += region.count
            }
        }
        return released
    }

    /// The executable, file-backed, private mappings of a `/proc/PID/maps` text.
    public static func codeRegions(inMaps maps: String) -> [Range<UInt>] {
        var regions: [Range<UInt>] = []
        for line in maps.split(separator: "\n") {
            // 55d0e2a81000-55d0e5255000 r-xp 00000000 fe:01 1234 /usr/bin/smileyd
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[1] == "r-xp",
                  fields[5].trimmingCharacters(in: .whitespaces).hasPrefix("/") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  end > start else { continue }
            regions.append(start..<end)
        }
        return regions
    }
}

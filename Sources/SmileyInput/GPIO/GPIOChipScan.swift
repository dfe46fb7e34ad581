import CGPIOD
import Foundation
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

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

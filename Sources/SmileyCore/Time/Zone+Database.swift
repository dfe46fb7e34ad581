import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loading zones from the system's tz database: the one place SmileyCore reads files. A zone is
/// data the product is configured with, like the configuration itself; it is read once, at start,
/// and every question after that is answered in memory. Keeping the loader beside the type lets
/// every module name zones the same way without linking the platform layer.
extension Zone {
    /// Nil when the id is not a zone of the tz database in `databaseDirectory`, or its file is damaged.
    public init?(identifier: String, databaseDirectory: String = Zone.databaseDirectory) {
        // UTC needs no file: a minimal system may have no tz database at all.
        if Self.utcNames.contains(identifier) {
            self.init(identifier: identifier, rules: .utc)
            return
        }
        guard Self.isPlausible(identifier),
              let bytes = Self.readRegularFile(databaseDirectory + "/" + identifier),
              let rules = try? TZif.parse(bytes) else { return nil }
        self.init(identifier: identifier, rules: rules)
    }

    private static let utcNames: Set<String> = ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Etc/Zulu", "UCT", "Etc/UCT"]

    /// `TZDIR`, else /usr/share/zoneinfo.
    public static var databaseDirectory: String {
        ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"
    }

    /// The system's zone: `TZ`, else where /etc/localtime points, else /etc/timezone, else UTC.
    public static func system(environment: [String: String]? = nil) -> Zone {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let tz = environment["TZ"], !tz.isEmpty {
            candidates.append(tz.hasPrefix(":") ? String(tz.dropFirst()) : tz)
        }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/etc/localtime"),
           let range = target.range(of: "zoneinfo/") {
            candidates.append(String(target[range.upperBound...]))
        }
        if let text = try? String(contentsOfFile: "/etc/timezone", encoding: .utf8) {
            candidates.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        for candidate in candidates {
            if let zone = Zone(identifier: candidate) { return zone }
        }
        return .utc
    }

    /// The zone ids the database names (zones and their links, from `tzdata.zi`, else `zone1970.tab`
    /// and `zone.tab`), for suggestions; empty when there is no database.
    public static func knownIdentifiers(databaseDirectory: String = Zone.databaseDirectory) -> [String] {
        var names: Set<String> = ["UTC"]
        if let bytes = readRegularFile(databaseDirectory + "/tzdata.zi") {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.first == "Z", fields.count >= 2 { names.insert(String(fields[1])) }
                if fields.first == "L", fields.count >= 3 { names.insert(String(fields[2])) }
            }
        } else {
            for table in ["zone1970.tab", "zone.tab"] {
                guard let bytes = readRegularFile(databaseDirectory + "/" + table) else { continue }
                for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
                    let fields = line.split(separator: "\t")
                    if fields.count >= 3 { names.insert(String(fields[2])) }
                }
            }
        }
        return names.sorted()
    }

    /// A regular file (links followed) of at most ``TZif/maxBytes``, or nil. Opened without
    /// blocking, so a FIFO in its place cannot hang start-up.
    private static func readRegularFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= TZif.maxBytes else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return read(fd, base + filled, buffer.count - filled)
            }
            if n > 0 {
                filled += n
            } else if n == 0 || errno != EINTR {
                break
            }
        }
        return filled == bytes.count ? bytes : nil
    }

    private static func isPlausible(_ identifier: String) -> Bool {
        guard !identifier.isEmpty, identifier.utf8.count <= 64, !identifier.hasPrefix("/"), !identifier.hasPrefix("."),
              !identifier.contains("..") else { return false }
        return identifier.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "/_+-".utf8.contains(byte)
        }
    }
}

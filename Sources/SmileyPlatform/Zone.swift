import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An IANA time zone, answered by the C library from the system's tz database
/// (/usr/share/zoneinfo).
///
/// The daemon uses this rather than Foundation's TimeZone: Foundation answers zone questions
/// through ICU, whose data alone adds about 9 MB to the resident memory of a process that only
/// needs "what was the UTC offset at this instant".
public struct Zone: Sendable, Hashable, CustomStringConvertible {
    public let identifier: String

    /// Nil when the id is not a zone of the system's tz database.
    public init?(identifier: String, databaseDirectory: String = Zone.databaseDirectory) {
        // UTC needs no file: the C library knows it even where no tz database is installed.
        if Self.utcNames.contains(identifier) {
            self.identifier = identifier
            return
        }
        guard Self.isPlausible(identifier) else { return nil }
        let path = (databaseDirectory as NSString).appendingPathComponent(identifier)
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        // Every compiled zone file starts with the magic "TZif".
        guard let magic = try? handle.read(upToCount: 4), magic == Data("TZif".utf8) else { return nil }
        self.identifier = identifier
    }

    private static let utcNames: Set<String> = ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Etc/Zulu", "UCT", "Etc/UCT"]

    /// UTC, always available.
    public static let utc = Zone(knownIdentifier: "UTC")

    private init(knownIdentifier: String) { identifier = knownIdentifier }

    public static var databaseDirectory: String {
        ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"
    }

    /// The system's zone: `TZ`, else where /etc/localtime points, else /etc/timezone, else UTC.
    /// Without an explicit environment, `TZ` is the one the process started with (answering
    /// offsets sets the process's TZ, see ``secondsFromUTC(atMs:)``).
    public static func system(environment: [String: String]? = nil) -> Zone {
        var environment = environment ?? {
            var current = ProcessInfo.processInfo.environment
            current["TZ"] = startupTZ
            return current
        }()
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

    /// The zone's offset from UTC at an instant (ms since 1970), in seconds.
    public func secondsFromUTC(atMs ms: Int64) -> Int {
        var seconds = time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
        _ = Self.startupTZ
        return Self.library.withLock { current in
            if current != identifier {
                setenv("TZ", ":" + identifier, 1)
                tzset()
                current = identifier
            }
            var parts = tm()
            localtime_r(&seconds, &parts)
            return parts.tm_gmtoff
        }
    }

    public var description: String { identifier }

    /// `TZ` as the process started, before any switching below.
    private static let startupTZ: String? = ProcessInfo.processInfo.environment["TZ"]

    /// The C library keeps one zone per process (TZ): switching it is serialized here.
    private static let library = Mutex<String?>(nil)

    private static func isPlausible(_ identifier: String) -> Bool {
        guard !identifier.isEmpty, identifier.count <= 64, !identifier.hasPrefix("/"), !identifier.hasPrefix("."),
              !identifier.contains("..") else { return false }
        return identifier.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "/_+-".unicodeScalars.contains($0)
        }
    }
}

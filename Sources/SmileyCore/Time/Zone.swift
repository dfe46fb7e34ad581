/// An IANA time zone from the system's tz database (/usr/share/zoneinfo): the one zone type of
/// the product — the daemon's UTC offsets, summaries, reports and the staff tools all ask it.
///
/// A zone is loaded once (see `Zone+Database.swift`, the only file here that reads the disk) and
/// then answers offsets from its compiled rules in memory: pure, thread-safe, no process-wide `TZ`
/// switching, and no ICU (Foundation's TimeZone loads about 9 MB of ICU data for the same answer).
public struct Zone: Sendable, Hashable, CustomStringConvertible {
    public let identifier: String
    let rules: ZoneRules

    /// A zone from rules already read (tests, or a TZif file from elsewhere).
    public init(identifier: String, tzif bytes: [UInt8]) throws(TZifError) {
        self.identifier = identifier
        self.rules = try TZif.parse(bytes)
    }

    init(identifier: String, rules: ZoneRules) {
        self.identifier = identifier
        self.rules = rules
    }

    /// UTC, always available, with or without a tz database.
    public static let utc = Zone(identifier: "UTC", rules: .utc)

    /// The zone's offset from UTC at an instant (ms since 1970), in seconds.
    public func secondsFromUTC(atMs ms: Int64) -> Int {
        rules.offset(atSeconds: CivilCalendar.floorDiv(ms, 1000))
    }

    public var description: String { identifier }

    /// Two zones are the same when they have the same name.
    public static func == (a: Zone, b: Zone) -> Bool { a.identifier == b.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }
}

extension Zone {
    /// The first instant (ms since 1970 UTC) whose local wall time in this zone is `localMs` or
    /// later: the earlier of the two where the wall time happens twice, the end of the gap where
    /// daylight saving skips it. `localMs` counts from 1970-01-01 00:00 local.
    public func firstInstant(atOrAfterLocalMs localMs: Int64) -> Int64 {
        func offsetMs(_ t: Int64) -> Int64 { Int64(secondsFromUTC(atMs: t)) * 1000 }
        let day = CivilCalendar.msPerDay
        let candidates = Set([offsetMs(localMs - day), offsetMs(localMs), offsetMs(localMs + day),
                              offsetMs(localMs - offsetMs(localMs))])
        let exact = candidates.map { localMs - $0 }.filter { offsetMs($0) == localMs - $0 }
        if let earliest = exact.min() { return earliest }
        // A gap: the answer is the transition between the two instants that read `localMs` with
        // the offsets before and after it; there, "local time ≥ localMs" flips once.
        var low = candidates.map { localMs - $0 }.min() ?? localMs
        var high = candidates.map { localMs - $0 }.max() ?? localMs
        while low < high {
            let mid = low + (high - low) / 2
            if mid + offsetMs(mid) >= localMs { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

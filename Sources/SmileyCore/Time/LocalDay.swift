import Foundation

/// A calendar day in a time zone, and the UTC instants that bound it. Days are 23, 24 or 25 hours
/// long: they run from local midnight to the next local midnight, whatever daylight saving does.
public struct LocalDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; nil when malformed or not a real date.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: y, month: m, day: d)
        guard components.isValidDate(in: calendar) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The local day containing `instantMs` in `zone`.
    public init(containing instantMs: Int64, in zone: TimeZone) {
        let calendar = Self.calendar(zone)
        let date = Date(timeIntervalSince1970: Double(instantMs) / 1000)
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (a: LocalDay, b: LocalDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// The day `days` later (negative: earlier).
    public func adding(days: Int) -> LocalDay {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let date = utc.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
        let moved = utc.date(byAdding: .day, value: days, to: date)!
        let c = utc.dateComponents([.year, .month, .day], from: moved)
        return LocalDay(year: c.year!, month: c.month!, day: c.day!)
    }

    /// Start (inclusive) and end (exclusive) of the day in `zone`, as ms since 1970 UTC.
    public func interval(in zone: TimeZone) -> Range<Int64> {
        let start = Self.startOfDay(self, zone)
        let end = Self.startOfDay(adding(days: 1), zone)
        return start..<end
    }

    private static func startOfDay(_ day: LocalDay, _ zone: TimeZone) -> Int64 {
        let calendar = calendar(zone)
        // Noon always exists; the start of that day is local midnight (or the first instant after
        // it where a zone skips midnight).
        let noon = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12))!
        let start = calendar.startOfDay(for: noon)
        return Int64((start.timeIntervalSince1970 * 1000).rounded())
    }

    private static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }
}

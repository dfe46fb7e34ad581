/// A site's opening hours, per weekday: `mon-fri 08:00-20:00, sat 09:00-18:00`.
///
/// The format (parsed strictly, every error names the entry and what is allowed):
/// - entries separated by `,`; each is `DAYS HH:MM-HH:MM`;
/// - `DAYS` is one day (`mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`) or a range of them from
///   Monday towards Sunday (`mon-fri`; `sat-mon` is refused: write `sat-sun, mon`);
/// - times are 24-hour `HH:MM` with the end after the start; `24:00` ends a day (hours past midnight
///   go on the next day's entry: `fri 22:00-24:00, sat 00:00-02:00`);
/// - a day may have several entries (`mon-fri 08:00-12:00, mon-fri 13:00-18:00`) that do not overlap;
/// - a day no entry names is closed.
/// At most ``maxLength`` characters and ``maxEntries`` entries.
public struct OpeningHours: Sendable, Equatable, CustomStringConvertible {
    /// One open interval of one day, in minutes after local midnight (`end` up to 1440).
    public struct Interval: Sendable, Equatable, Comparable {
        public var start: Int
        public var end: Int
        public static func < (a: Interval, b: Interval) -> Bool { (a.start, a.end) < (b.start, b.end) }
    }

    public static let maxLength = 512
    public static let maxEntries = 64

    /// The open intervals of each day, sorted; a day without any is closed.
    public private(set) var days: [Day: [Interval]]
    /// The entries as given, normalised (lowercase, single spaces, `, ` between them).
    public let description: String

    /// Whether the site is open at `minute` (0..<1440) of `day`, local time.
    public func isOpen(_ day: Day, minute: Int) -> Bool {
        days[day, default: []].contains { $0.start <= minute && minute < $0.end }
    }

    public init(parsing text: String) throws(OrganisationError) {
        func fail(_ message: String) -> OrganisationError {
            OrganisationError("opening hours \"\(text.prefix(80))\": \(message); expected e.g. `mon-fri 08:00-20:00, sat 09:00-18:00`")
        }
        guard text.count <= Self.maxLength else { throw fail("longer than \(Self.maxLength) characters") }
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0).lowercased() } }
        guard entries.count <= Self.maxEntries else { throw fail("more than \(Self.maxEntries) entries") }
        var days: [Day: [Interval]] = [:]
        var normalised: [String] = []
        for (index, fields) in entries.enumerated() {
            let number = index + 1
            guard fields.count == 2 else {
                throw fail(fields.isEmpty ? "entry \(number) is empty" : "entry \(number) \"\(fields.joined(separator: " "))\" is not `DAYS HH:MM-HH:MM`")
            }
            let range = try Self.parseDays(fields[0], entry: number, fail: fail)
            let interval = try Self.parseInterval(fields[1], entry: number, fail: fail)
            for day in range {
                if let clash = days[day, default: []].first(where: { $0.start < interval.end && interval.start < $0.end }) {
                    throw fail("entry \(number) overlaps \(day.name) \(Self.clock(clash.start))-\(Self.clock(clash.end))")
                }
                days[day, default: []].append(interval)
                days[day]?.sort()
            }
            normalised.append(fields.joined(separator: " "))
        }
        self.days = days
        self.description = normalised.joined(separator: ", ")
    }

    static func parseDays(_ text: String, entry: Int, fail: (String) -> OrganisationError) throws(OrganisationError) -> [Day] {
        let names = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let known = Day.allCases.map(\.name).joined(separator: ", ")
        guard (1...2).contains(names.count) else { throw fail("entry \(entry): days \"\(text)\" are not one day or a range `mon-fri`") }
        var range: [Day] = []
        for name in names {
            guard let day = Day(name: name) else { throw fail("entry \(entry): \"\(name)\" is not a day; use \(known)") }
            range.append(day)
        }
        guard let first = range.first, let last = range.last else { throw fail("entry \(entry): no day") }
        guard first <= last else {
            throw fail("entry \(entry): \(text) runs backwards; ranges go from Monday towards Sunday (write \(first.name)-sun, mon-\(last.name))")
        }
        return Day.allCases.filter { first <= $0 && $0 <= last }
    }

    static func parseInterval(_ text: String, entry: Int, fail: (String) -> OrganisationError) throws(OrganisationError) -> Interval {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard ends.count == 2 else { throw fail("entry \(entry): hours \"\(text)\" are not `HH:MM-HH:MM`") }
        guard let start = minutes(ends[0]), start < 1440 else {
            throw fail("entry \(entry): \"\(ends[0])\" is not a time 00:00 to 23:59")
        }
        guard let end = minutes(ends[1]) else { throw fail("entry \(entry): \"\(ends[1])\" is not a time 00:01 to 24:00") }
        guard start < end else {
            throw fail("entry \(entry): \(text) ends before it starts; split hours past midnight: `fri 22:00-24:00, sat 00:00-02:00`")
        }
        return Interval(start: start, end: end)
    }

    /// `HH:MM` (exactly two digits each) as minutes after midnight, 24:00 included; nil otherwise.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]), minutes < 60 else { return nil }
        let total = hours * 60 + minutes
        return total <= 1440 ? total : nil
    }

    static func clock(_ minutes: Int) -> String {
        let (h, m) = (minutes / 60, minutes % 60)
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}

/// The one reader and writer of timestamps in the product (RFC 3339, a profile of ISO 8601),
/// without Foundation's formatters (slow, allocating, locale-dependent). Every input reads this
/// grammar — `--replay-start`, `SMILEY_NOW`, the wire's `recordedAt`, gpiomon traces — and every
/// output writes it (docs/time.md):
///
///     timestamp = date sep time [fraction] offset
///     date      = YYYY "-" MM "-" DD        ; 0000-01-01 … 9999-12-31, a real date
///     sep       = "T" / "t" / " "
///     time      = HH ":" MM ":" SS          ; 00:00:00 … 23:59:60 (a leap second reads as :59)
///     fraction  = "." 1*DIGIT               ; digits after the ninth are dropped
///     offset    = "Z" / "z" / ("+" / "-") HH ":" MM   ; HH 00–23, MM 00–59
///
/// At most ``maxLength`` bytes. Only a gpiomon trace may leave out the offset (``OffsetRule``):
/// gpiomon `--localtime` prints none, and a replay uses only differences, so it reads as UTC.
/// A trace further needs an instant from 1970-01-01T00:00:00Z to 2554-07-21T23:34:33.709551615Z,
/// the nanoseconds since 1970 its 64-bit counter holds. The calendar arithmetic is ``CivilCalendar``'s.
public enum RFC3339 {
    /// The grammar in one line, for messages.
    public static let grammar = "YYYY-MM-DDTHH:MM:SS[.fraction] then Z or an offset ±HH:MM"
    public static let example = "2026-11-22T09:15:02.123+02:00"
    /// The longest text read: a timestamp with a 35-digit fraction.
    public static let maxLength = 64

    /// Whether the offset may be left out.
    public enum OffsetRule: Sendable {
        case required
        /// A missing offset reads as UTC (gpiomon traces only).
        case optionalUTC
    }

    /// An instant read to the nanosecond.
    public struct Instant: Sendable, Hashable {
        /// Seconds since 1970-01-01T00:00:00Z (negative before).
        public var seconds: Int64
        /// 0 … 999 999 999, after `seconds`.
        public var nanoseconds: Int64

        public init(seconds: Int64, nanoseconds: Int64) {
            self.seconds = seconds
            self.nanoseconds = nanoseconds
        }

        /// Milliseconds since 1970 (the fraction truncated).
        public var ms: Int64 { seconds * 1000 + nanoseconds / 1_000_000 }

        /// Nanoseconds since 1970 as a 64-bit unsigned counter (a trace's clock); nil before
        /// 1970 or after 2554-07-21T23:34:33.709551615Z.
        public var unsignedNanoseconds: UInt64? {
            guard seconds >= 0 else { return nil }
            let (whole, o1) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
            let (total, o2) = whole.addingReportingOverflow(UInt64(nanoseconds))
            return o1 || o2 ? nil : total
        }
    }

    // MARK: - Reading

    /// Reads a timestamp of the grammar above; the error says what is wrong and where.
    public static func instant(parsing text: String, offset: OffsetRule = .required) throws(TimestampError) -> Instant {
        let bytes = Array(text.utf8.prefix(maxLength + 1))
        return try instant(bytes, 0..<bytes.count, offset: offset)
    }

    /// Milliseconds since 1970 of a timestamp; the error says what is wrong and where.
    public static func ms(reading text: String) throws(TimestampError) -> Int64 {
        try instant(parsing: text).ms
    }

    /// Milliseconds since 1970 of a timestamp; nil for anything the grammar refuses.
    public static func ms(parsing text: String) -> Int64? {
        try? ms(reading: text)
    }

    /// Reads `bytes[range]` (a field of a trace line without copying it).
    public static func instant(_ bytes: [UInt8], _ range: Range<Int>, offset rule: OffsetRule = .required) throws(TimestampError) -> Instant {
        let text = { String(decoding: bytes[range.lowerBound..<min(range.upperBound, range.lowerBound + maxLength)], as: UTF8.self) }
        func fail(_ at: Int, _ problem: String) -> TimestampError {
            TimestampError(text: text(), position: at - range.lowerBound + 1, problem: problem)
        }
        guard range.count <= maxLength else { throw fail(range.lowerBound + maxLength, "longer than \(maxLength) characters") }
        let b = range.lowerBound
        let end = range.upperBound
        func byte(_ at: Int) -> UInt8? { b + at < end ? bytes[b + at] : nil }
        func number(_ at: Int, _ count: Int, _ name: String) throws(TimestampError) -> Int {
            guard b + at + count <= end, let value = digits(bytes, b + at, count) else {
                throw fail(b + at, "\(count) digits of the \(name) expected")
            }
            return value
        }
        func separator(_ at: Int, _ allowed: String, _ name: String) throws(TimestampError) {
            guard let found = byte(at), allowed.utf8.contains(found) else { throw fail(b + at, "\(name) expected") }
        }

        let year = try number(0, 4, "year")
        try separator(4, "-", "\"-\" after the year")
        let month = try number(5, 2, "month")
        guard (1...12).contains(month) else { throw fail(b + 5, "month \(padded(month, 2)) (01 to 12 allowed)") }
        try separator(7, "-", "\"-\" after the month")
        let day = try number(8, 2, "day")
        let length = CivilCalendar.daysInMonth(year: year, month: month)
        guard (1...length).contains(day) else {
            throw fail(b + 8, "day \(padded(day, 2)) (\(padded(year, 4))-\(padded(month, 2)) has days 01 to \(length))")
        }
        try separator(10, "Tt ", "\"T\" between date and time")
        let hour = try number(11, 2, "hour")
        guard hour < 24 else { throw fail(b + 11, "hour \(padded(hour, 2)) (00 to 23 allowed)") }
        try separator(13, ":", "\":\" after the hour")
        let minute = try number(14, 2, "minute")
        guard minute < 60 else { throw fail(b + 14, "minute \(padded(minute, 2)) (00 to 59 allowed)") }
        try separator(16, ":", "\":\" after the minute")
        let second = try number(17, 2, "second")
        guard second <= 60 else { throw fail(b + 17, "second \(padded(second, 2)) (00 to 60 allowed)") }

        var i = 19
        var nanoseconds: Int64 = 0
        if byte(i) == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while let d = byte(i), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") {
                if count < 9 { nanoseconds = nanoseconds * 10 + Int64(d - UInt8(ascii: "0")) }
                count += 1
                i += 1
            }
            guard count > 0 else { throw fail(b + i, "digits after \".\" expected") }
            for _ in min(count, 9)..<9 { nanoseconds *= 10 }
        }

        var offsetSeconds = 0
        switch byte(i) {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = byte(i) == UInt8(ascii: "-") ? -1 : 1
            let oh = try number(i + 1, 2, "offset's hours")
            guard oh < 24 else { throw fail(b + i + 1, "offset hours \(padded(oh, 2)) (00 to 23 allowed)") }
            try separator(i + 3, ":", "\":\" in the offset")
            let om = try number(i + 4, 2, "offset's minutes")
            guard om < 60 else { throw fail(b + i + 4, "offset minutes \(padded(om, 2)) (00 to 59 allowed)") }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            i += 6
        case nil where rule == .optionalUTC:
            break
        default:
            throw fail(b + i, rule == .optionalUTC ? "fraction, Z, an offset ±HH:MM or the end expected"
                                                   : "Z or an offset ±HH:MM expected (a time without one is ambiguous)")
        }
        guard b + i == end else { throw fail(b + i, "unexpected text after the timestamp") }
        // Years 0000-9999 keep every product below far from Int64's limits.
        let days = Int64(CivilCalendar.dayNumber(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds)
        return Instant(seconds: seconds, nanoseconds: nanoseconds)
    }

    // MARK: - Writing

    /// `2026-11-22T09:15:02.123Z` for milliseconds since 1970 (UTC, always three fraction digits).
    public static func string(ms: Int64) -> String {
        var out = [UInt8]()
        out.reserveCapacity(24)
        append(ms: ms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``string(ms:)`` appended to a byte buffer (the wire encoder) or a string (a log line),
    /// without an intermediate string.
    @inlinable
    public static func append<Out: ASCIIAppendable>(ms: Int64, to out: inout Out) {
        appendWall(ms, to: &out)
        out.appendASCII(UInt8(ascii: "Z"))
    }

    /// The local wall time with its offset: `2026-11-22T11:15:02.123+02:00`.
    public static func string(ms: Int64, offsetSeconds: Int) -> String {
        var out = [UInt8]()
        out.reserveCapacity(29)
        appendWall(ms + Int64(offsetSeconds) * 1000, to: &out)
        appendOffset(offsetSeconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-11-22 11:15:02`: the local wall time for people (no fraction, no offset).
    public static func plainLocal(ms: Int64, offsetSeconds: Int) -> String {
        let wall = ms + Int64(offsetSeconds) * 1000
        let days = CivilCalendar.floorDiv(wall, CivilCalendar.msPerDay)
        var out = [UInt8]()
        out.reserveCapacity(19)
        appendDate(dayNumber: days, to: &out)
        out.appendASCII(UInt8(ascii: " "))
        appendClock(seconds: (wall - days * CivilCalendar.msPerDay) / 1000, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-11-22 11:15:02` in `zone` (or `11:15:02` without the date).
    public static func plainLocal(ms: Int64, zone: Zone, withDate: Bool = true) -> String {
        let text = plainLocal(ms: ms, offsetSeconds: zone.secondsFromUTC(atMs: ms))
        return withDate ? text : String(text.suffix(8))
    }

    /// `+02:00`, `-05:00`, `+05:30`, `+00:00`.
    public static func offsetText(_ seconds: Int) -> String {
        var out = ""
        appendOffset(seconds, to: &out)
        return out
    }

    /// `YYYY-MM-DD` of the UTC day of an instant (ms since 1970).
    public static func day(ofMs ms: Int64) -> String {
        var out = [UInt8]()
        out.reserveCapacity(10)
        appendDate(dayNumber: CivilCalendar.floorDiv(ms, CivilCalendar.msPerDay), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` with leading zeros to `width` digits.
    public static func padded(_ value: Int, _ width: Int) -> String {
        var out = ""
        digits(Int64(value), width, &out)
        return out
    }

    // MARK: - Pieces

    /// `YYYY-MM-DDTHH:MM:SS.mmm` of a wall-clock reading in ms.
    @inlinable
    static func appendWall<Out: ASCIIAppendable>(_ wallMs: Int64, to out: inout Out) {
        let days = CivilCalendar.floorDiv(wallMs, CivilCalendar.msPerDay)
        let msOfDay = wallMs - days * CivilCalendar.msPerDay
        appendDate(dayNumber: days, to: &out)
        out.appendASCII(UInt8(ascii: "T"))
        appendClock(seconds: msOfDay / 1000, to: &out)
        out.appendASCII(UInt8(ascii: "."))
        digits(msOfDay % 1000, 3, &out)
    }

    @inlinable
    static func appendClock<Out: ASCIIAppendable>(seconds: Int64, to out: inout Out) {
        digits(seconds / 3600, 2, &out)
        out.appendASCII(UInt8(ascii: ":"))
        digits(seconds / 60 % 60, 2, &out)
        out.appendASCII(UInt8(ascii: ":"))
        digits(seconds % 60, 2, &out)
    }

    static func appendOffset<Out: ASCIIAppendable>(_ seconds: Int, to out: inout Out) {
        out.appendASCII(seconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let minutes = Int64(abs(seconds) / 60)
        digits(minutes / 60, 2, &out)
        out.appendASCII(UInt8(ascii: ":"))
        digits(minutes % 60, 2, &out)
    }

    @inlinable
    static func appendDate<Out: ASCIIAppendable>(dayNumber: Int64, to out: inout Out) {
        let date = CivilCalendar.date(ofDayNumber: Int(dayNumber))
        digits(Int64(date.year), 4, &out)
        out.appendASCII(UInt8(ascii: "-"))
        digits(Int64(date.month), 2, &out)
        out.appendASCII(UInt8(ascii: "-"))
        digits(Int64(date.day), 2, &out)
    }

    /// At least `width` digits of a non-negative value (negative values write as 0).
    @inlinable
    static func digits<Out: ASCIIAppendable>(_ value: Int64, _ width: Int, _ out: inout Out) {
        let v = max(0, value)
        var divisor: Int64 = 1
        var count = 1
        while count < width || v / divisor >= 10 {
            divisor *= 10
            count += 1
        }
        while divisor > 0 {
            out.appendASCII(UInt8(ascii: "0") + UInt8(v / divisor % 10))
            divisor /= 10
        }
    }

    /// The number written by exactly `count` ASCII digits at `at`; nil if any is not a digit.
    static func digits(_ bytes: [UInt8], _ at: Int, _ count: Int) -> Int? {
        guard at >= 0, count <= 18, at + count <= bytes.count else { return nil }
        var value = 0
        for i in at..<(at + count) {
            guard bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
        }
        return value
    }
}

/// RFC 3339 instants as the wire, the exports and the status show them, without Foundation's
/// formatters (slow, allocating, and locale-dependent): `2026-11-22T09:15:02.123Z`.
///
/// The calendar arithmetic is ``CivilCalendar``'s.
public enum RFC3339 {
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
        let days = CivilCalendar.floorDiv(ms, CivilCalendar.msPerDay)
        let msOfDay = ms - days * CivilCalendar.msPerDay
        appendDate(dayNumber: days, to: &out)
        let seconds = msOfDay / 1000
        out.appendASCII(UInt8(ascii: "T"))
        digits(seconds / 3600, 2, &out)
        out.appendASCII(UInt8(ascii: ":"))
        digits(seconds / 60 % 60, 2, &out)
        out.appendASCII(UInt8(ascii: ":"))
        digits(seconds % 60, 2, &out)
        out.appendASCII(UInt8(ascii: "."))
        digits(msOfDay % 1000, 3, &out)
        out.appendASCII(UInt8(ascii: "Z"))
    }

    /// `YYYY-MM-DD` of the UTC day of an instant (ms since 1970).
    public static func day(ofMs ms: Int64) -> String {
        var out = [UInt8]()
        out.reserveCapacity(10)
        appendDate(dayNumber: CivilCalendar.floorDiv(ms, CivilCalendar.msPerDay), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Milliseconds since 1970 of `2026-11-22T09:15:02.123Z` or one with an offset (`+02:00`);
    /// `t`, `z` and a space for `T` are accepted, fractions beyond milliseconds are truncated, a
    /// leap second counts as :59. Nil for anything else (a date that does not exist included).
    public static func ms(parsing text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard i < b.count, b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let year = num(0, 4), b[4] == 45, let month = num(5, 2), b[7] == 45, let day = num(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32, let hour = num(11, 2), b[13] == 58, let minute = num(14, 2),
              b[16] == 58, let second = num(17, 2) else { return nil }
        guard (1...12).contains(month),
              (1...Int64(CivilCalendar.daysInMonth(year: Int(year), month: Int(month)))).contains(day),
              hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if count < 3 { fraction = fraction * 10 + Int64(b[i] - 48) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            if count < 3 { for _ in count..<3 { fraction *= 10 } }
        }
        guard i < b.count else { return nil }
        var offsetSeconds: Int64 = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            guard let oh = num(i + 1, 2), b.count > i + 3, b[i + 3] == 58, let om = num(i + 4, 2), oh < 24, om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = Int64(CivilCalendar.dayNumber(year: Int(year), month: Int(month), day: Int(day)))
        return ((days * 86_400 + hour * 3600 + minute * 60 + min(second, 59)) - offsetSeconds) * 1000 + fraction
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

    @inlinable
    static func digits<Out: ASCIIAppendable>(_ value: Int64, _ width: Int, _ out: inout Out) {
        let v = max(0, value)
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            out.appendASCII(UInt8(ascii: "0") + UInt8(v / divisor % 10))
            divisor /= 10
        }
    }
}

/// Where ``RFC3339`` writes: a byte buffer or a string, one ASCII character at a time.
public protocol ASCIIAppendable {
    mutating func appendASCII(_ byte: UInt8)
}

extension Array: ASCIIAppendable where Element == UInt8 {
    @inlinable
    public mutating func appendASCII(_ byte: UInt8) { append(byte) }
}

extension String: ASCIIAppendable {
    @inlinable
    public mutating func appendASCII(_ byte: UInt8) { unicodeScalars.append(Unicode.Scalar(byte)) }
}

/// `2026-11-22T09:15:02.123Z` from milliseconds since 1970, without Foundation's formatters
/// (which are slow and allocate).
public enum RFC3339 {
    public static func string(ms: Int64) -> String {
        var out = [UInt8]()
        out.reserveCapacity(24)
        append(ms: ms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func append(ms: Int64, to out: inout [UInt8]) {
        let (days, msOfDay) = floorDivide(ms, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let seconds = msOfDay / 1000
        digits(year, 4, &out)
        out.append(UInt8(ascii: "-"))
        digits(month, 2, &out)
        out.append(UInt8(ascii: "-"))
        digits(day, 2, &out)
        out.append(UInt8(ascii: "T"))
        digits(seconds / 3600, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(seconds / 60 % 60, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(seconds % 60, 2, &out)
        out.append(UInt8(ascii: "."))
        digits(msOfDay % 1000, 3, &out)
        out.append(UInt8(ascii: "Z"))
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func digits(_ value: Int64, _ width: Int, _ out: inout [UInt8]) {
        let v = value < 0 ? 0 : value
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
            divisor /= 10
        }
    }
}

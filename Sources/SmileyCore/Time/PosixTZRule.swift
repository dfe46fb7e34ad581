/// A POSIX `TZ` rule as the footer of a TZif file holds it, e.g. `EET-2EEST,M3.5.0/3,M10.5.0/4`:
/// a standard offset and, optionally, a daylight-saving offset with the yearly dates it starts
/// and ends (RFC 8536 section 3.3.1, with its extension of rule times to ±167 hours).
struct PosixTZRule: Sendable, Equatable {
    /// Seconds east of UTC (POSIX writes them west: `EET-2` is +02:00).
    var standardOffset: Int
    var daylight: Daylight?

    struct Daylight: Sendable, Equatable {
        var offset: Int
        var start: Transition
        var end: Transition
    }

    /// A yearly date and a local time of day.
    struct Transition: Sendable, Equatable {
        enum Date: Sendable, Equatable {
            /// `Jn`: 1 … 365, February 29 never counted.
            case julianNoLeap(Int)
            /// `n`: 0 … 365, February 29 counted.
            case zeroBased(Int)
            /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (5 = the last) of month `m`.
            case monthWeekDay(month: Int, week: Int, weekday: Int)
        }
        var date: Date
        /// Seconds after local midnight (may be negative or beyond a day).
        var time: Int
    }

    init(standardOffset: Int, daylight: Daylight?) {
        self.standardOffset = standardOffset
        self.daylight = daylight
    }

    init(parsing text: String) throws(TZifError) {
        var scanner = Scanner(bytes: Array(text.utf8), text: text)
        try scanner.name()
        standardOffset = -(try scanner.offset(maxHours: 24))
        guard !scanner.atEnd else {
            daylight = nil
            return
        }
        try scanner.name()
        var daylightOffset = standardOffset + 3600
        if !scanner.atEnd, scanner.peek != UInt8(ascii: ",") {
            daylightOffset = -(try scanner.offset(maxHours: 24))
        }
        let start: Transition, end: Transition
        if scanner.atEnd {
            // POSIX leaves the default open; the C library uses the US rules.
            start = Transition(date: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200)
            end = Transition(date: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200)
        } else {
            try scanner.expect(",")
            start = try scanner.transition()
            try scanner.expect(",")
            end = try scanner.transition()
        }
        guard scanner.atEnd else { throw scanner.error("text after the rule") }
        daylight = Daylight(offset: daylightOffset, start: start, end: end)
    }

    /// The offset in force at an instant (seconds since 1970).
    func offset(atSeconds t: Int64) -> Int {
        guard let daylight else { return standardOffset }
        let year = CivilCalendar.date(ofDayNumber: Int(CivilCalendar.floorDiv(t + Int64(standardOffset), 86_400))).year
        // Start is given in standard local time, end in daylight local time.
        let start = Self.localSeconds(daylight.start, year: year) - Int64(standardOffset)
        let end = Self.localSeconds(daylight.end, year: year) - Int64(daylight.offset)
        let inDaylight = start < end ? (t >= start && t < end) : !(t >= end && t < start)
        return inDaylight ? daylight.offset : standardOffset
    }

    /// Local seconds since 1970 of a transition in a year.
    static func localSeconds(_ transition: Transition, year: Int) -> Int64 {
        let day: Int
        switch transition.date {
        case .julianNoLeap(let n):
            let leapShift = CivilCalendar.isLeapYear(year) && n >= 60 ? 1 : 0
            day = CivilCalendar.dayNumber(year: year, month: 1, day: 1) + n - 1 + leapShift
        case .zeroBased(let n):
            day = CivilCalendar.dayNumber(year: year, month: 1, day: 1) + n
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilCalendar.dayNumber(year: year, month: month, day: 1)
            // 0 = Sunday; 1970-01-01 was a Thursday.
            let firstWeekday = CivilCalendar.floorMod(first + 4, 7)
            var dayOfMonth = 1 + CivilCalendar.floorMod(weekday - firstWeekday, 7) + (week - 1) * 7
            let length = CivilCalendar.daysInMonth(year: year, month: month)
            while dayOfMonth > length { dayOfMonth -= 7 }
            day = first + dayOfMonth - 1
        }
        return Int64(day) * 86_400 + Int64(transition.time)
    }

    private struct Scanner {
        let bytes: [UInt8]
        let text: String
        var position = 0

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[position] }

        func error(_ what: String) -> TZifError {
            TZifError("footer rule \"\(text)\": \(what) at character \(position + 1)")
        }

        mutating func expect(_ character: Character) throws(TZifError) {
            guard let byte = character.asciiValue, peek == byte else { throw error("expected \"\(character)\"") }
            position += 1
        }

        /// `EET` or `<+0530>`: at least three characters.
        mutating func name() throws(TZifError) {
            let start = position
            if peek == UInt8(ascii: "<") {
                position += 1
                while let byte = peek, byte != UInt8(ascii: ">") { position += 1 }
                try expect(">")
                guard position - start >= 5 else { throw error("a quoted zone abbreviation shorter than 3 characters") }
            } else {
                while let byte = peek, (byte | 0x20) >= UInt8(ascii: "a"), (byte | 0x20) <= UInt8(ascii: "z") { position += 1 }
                guard position - start >= 3 else { throw error("a zone abbreviation of at least 3 letters expected") }
            }
        }

        mutating func number(max: Int) throws(TZifError) -> Int {
            var value = 0, digits = 0
            while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                position += 1
                guard digits <= 3, value <= max else { throw error("a number above \(max)") }
            }
            guard digits > 0 else { throw error("a number expected") }
            return value
        }

        /// `[+-]hh[:mm[:ss]]` in seconds (the sign as written).
        mutating func offset(maxHours: Int) throws(TZifError) -> Int {
            var sign = 1
            if peek == UInt8(ascii: "+") { position += 1 } else if peek == UInt8(ascii: "-") { sign = -1; position += 1 }
            var seconds = try number(max: maxHours) * 3600
            if peek == UInt8(ascii: ":") {
                position += 1
                seconds += try number(max: 59) * 60
                if peek == UInt8(ascii: ":") {
                    position += 1
                    seconds += try number(max: 59)
                }
            }
            return sign * seconds
        }

        mutating func transition() throws(TZifError) -> Transition {
            let date: Transition.Date
            if peek == UInt8(ascii: "J") {
                position += 1
                let n = try number(max: 365)
                guard n >= 1 else { throw error("J0 (Jn counts from 1)") }
                date = .julianNoLeap(n)
            } else if peek == UInt8(ascii: "M") {
                position += 1
                let month = try number(max: 12)
                try expect(".")
                let week = try number(max: 5)
                try expect(".")
                let weekday = try number(max: 6)
                guard month >= 1, week >= 1 else { throw error("month and week count from 1") }
                date = .monthWeekDay(month: month, week: week, weekday: weekday)
            } else {
                date = .zeroBased(try number(max: 365))
            }
            var time = 7200
            if peek == UInt8(ascii: "/") {
                position += 1
                time = try offset(maxHours: 167)
            }
            return Transition(date: date, time: time)
        }
    }
}

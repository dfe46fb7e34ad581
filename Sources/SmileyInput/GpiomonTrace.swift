#if canImport(Glibc)
import Glibc
#endif
import SmileyCore

/// A trace recorded with libgpiod's `gpiomon`, parsed.
///
/// Two formats are read, line by line (a file may even mix them):
///
/// - libgpiod 1.x (`printf("event: %s offset: %u timestamp: [%8ld.%09ld]\n")`):
///   `event: FALLING EDGE offset: 5 timestamp: [       1.837897128]` and
///   `event:  RISING EDGE offset: 5 timestamp: [       1.901234567]`.
/// - libgpiod 2.x default output: `<seconds.nanoseconds>\t<rising|falling>\t<line id>`, the line
///   id being `<chip> <offset>` for an unnamed line, `"<name>"` for a named line, or
///   `<chip> <offset> "<name>"` when gpiomon was given `--chip`; names are unquoted with
///   `--unquoted`. With `--utc`, `--localtime` or `--event-clock=realtime` the timestamp is
///   printed as `2024-05-01T12:00:00.123456789Z` (or without `Z`), read by ``RFC3339`` (the one
///   timestamp grammar, docs/time.md) as nanoseconds since 1970 (local times as if UTC: only
///   differences matter to a replay); 1970-01-01 to 2554-07-21 fit a trace's 64-bit clock.
///
/// Any run of spaces and tabs separates fields. Blank lines, `#` comments and gpiomon's banner
/// (`Monitoring line ...`) are skipped; any other line is an ``InputError/malformedTrace(file:lineNumber:content:expected:)``.
public struct GpiomonTrace: Sendable, Equatable {
    /// The level change as the wire saw it (before any active-low translation).
    public enum PhysicalEdge: String, Sendable, Hashable {
        case rising
        case falling
    }

    /// One event of the trace.
    public struct Record: Sendable, Hashable {
        /// 1-based line number in the file.
        public var lineNumber: Int
        public var edge: PhysicalEdge
        /// The line offset on its chip, when the trace prints it (always in libgpiod 1.x).
        public var offset: Int?
        /// The line name, when the trace prints it (libgpiod 2.x, named lines).
        public var lineName: String?
        /// The chip name (`gpiochip0`), when the trace prints it (libgpiod 2.x).
        public var chip: String?
        /// The event's timestamp in nanoseconds (CLOCK_MONOTONIC unless recorded otherwise).
        public var timestampNs: UInt64

        public init(lineNumber: Int, edge: PhysicalEdge, offset: Int? = nil, lineName: String? = nil,
                    chip: String? = nil, timestampNs: UInt64) {
            self.lineNumber = lineNumber
            self.edge = edge
            self.offset = offset
            self.lineName = lineName
            self.chip = chip
            self.timestampNs = timestampNs
        }
    }

    /// Where the trace came from, for messages.
    public var file: String
    /// The events, in file order.
    public var records: [Record]

    public init(file: String, records: [Record]) {
        self.file = file
        self.records = records
    }

    /// Parses a whole trace.
    public init(parsing text: String, file: String = "<trace>") throws(InputError) {
        try self.init(bytes: Array(text.utf8), file: file)
    }

    /// Parses a whole trace given as bytes (UTF-8; invalid bytes only matter inside names).
    public init(bytes: [UInt8], file: String) throws(InputError) {
        var records: [Record] = []
        records.reserveCapacity(bytes.count / 40)
        var lineNumber = 0
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            lineNumber += 1
            if let record = try Self.parseLine(bytes, start..<end, lineNumber: lineNumber, file: file) {
                records.append(record)
            }
            start = end + 1
        }
        self.init(file: file, records: records)
    }

    /// Reads and parses the trace at `path`.
    public init(contentsOf path: String) throws(InputError) {
        try self.init(bytes: Self.readFile(path), file: path)
    }

    /// Parses one line of a trace: nil for a blank line, a comment or gpiomon's banner.
    public static func parseLine(_ line: String, lineNumber: Int, file: String = "<trace>") throws(InputError) -> Record? {
        let bytes = Array(line.utf8)
        return try parseLine(bytes, 0..<bytes.count, lineNumber: lineNumber, file: file)
    }

    /// Nanoseconds of a `seconds.nanoseconds` timestamp (`1.837897128`, `12.5` = 12_500_000_000),
    /// computed exactly; nil if it is not one (more than 9 fraction digits, overflow, other text).
    public static func parseTimestamp(_ text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        return parseSecondsTimestamp(bytes, 0..<bytes.count)
    }

    // MARK: - Examples for messages

    static let exampleV1 = "\"event: FALLING EDGE offset: 5 timestamp: [       1.837897128]\" (libgpiod 1.x)"
    static let exampleV2 = "\"1.837897128<TAB>falling<TAB>gpiochip0 5\" or \"1.837897128<TAB>falling<TAB>\\\"GPIO5\\\"\" (libgpiod 2.x)"
    static let maxContentLength = 120

    // MARK: - Line parsing

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == 0x0B || byte == 0x0C
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func parseLine(_ bytes: [UInt8], _ range: Range<Int>, lineNumber: Int, file: String) throws(InputError) -> Record? {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && isBlank(bytes[lower]) { lower += 1 }
        while upper > lower && isBlank(bytes[upper - 1]) { upper -= 1 }
        if lower == upper || bytes[lower] == UInt8(ascii: "#") { return nil }
        // A UTF-8 byte order mark at the start of a file.
        if lineNumber == 1, upper - lower >= 3, bytes[lower] == 0xEF, bytes[lower + 1] == 0xBB, bytes[lower + 2] == 0xBF {
            return try parseLine(bytes, (lower + 3)..<upper, lineNumber: lineNumber, file: file)
        }
        let line = lower..<upper
        if hasPrefix(bytes, line, "Monitoring line") { return nil }

        let isV1 = hasPrefix(bytes, line, "event:")
        let parsed = isV1 ? parseV1(bytes, line, lineNumber: lineNumber)
            : try parseV2(bytes, line, lineNumber: lineNumber, file: file)
        if let parsed { return parsed }

        let expected: String
        if isV1 {
            expected = exampleV1
        } else if isDigit(bytes[lower]) {
            expected = exampleV2
        } else {
            expected = exampleV1 + " or " + exampleV2
        }
        throw InputError.malformedTrace(file: file, lineNumber: lineNumber,
                                        content: truncated(String(decoding: bytes[line], as: UTF8.self)),
                                        expected: expected)
    }

    static func truncated(_ text: String) -> String {
        guard text.count > maxContentLength else { return text }
        return String(text.prefix(maxContentLength)) + "…"
    }

    /// `event: FALLING EDGE offset: 5 timestamp: [       1.837897128]`
    private static func parseV1(_ bytes: [UInt8], _ line: Range<Int>, lineNumber: Int) -> Record? {
        var scanner = Scanner(bytes: bytes, range: line)
        guard scanner.word(caseInsensitive: "event:") else { return nil }
        let edge: PhysicalEdge
        if scanner.word(caseInsensitive: "rising") {
            edge = .rising
        } else if scanner.word(caseInsensitive: "falling") {
            edge = .falling
        } else {
            return nil
        }
        guard scanner.word(caseInsensitive: "edge"),
              scanner.word(caseInsensitive: "offset:"),
              let offsetRange = scanner.token(),
              let offset = parseOffset(bytes, offsetRange) else { return nil }
        scanner.skipBlanks()
        guard scanner.literal("timestamp:") else { return nil }
        scanner.skipBlanks()
        guard scanner.literal("[") else { return nil }
        scanner.skipBlanks()
        let stampStart = scanner.position
        while !scanner.atEnd && !isBlank(bytes[scanner.position]) && bytes[scanner.position] != UInt8(ascii: "]") {
            scanner.position += 1
        }
        let stampRange = stampStart..<scanner.position
        scanner.skipBlanks()
        guard scanner.literal("]") else { return nil }
        scanner.skipBlanks()
        guard scanner.atEnd, let ns = parseSecondsTimestamp(bytes, stampRange) else { return nil }
        return Record(lineNumber: lineNumber, edge: edge, offset: offset, timestampNs: ns)
    }

    /// `1.837897128\tfalling\tgpiochip0 5`, `1.837897128\tfalling\t"GPIO5"`,
    /// `1.837897128\tfalling\tgpiochip0 5 "GPIO5"`, unquoted names with `--unquoted`.
    private static func parseV2(_ bytes: [UInt8], _ line: Range<Int>, lineNumber: Int, file: String) throws(InputError) -> Record? {
        var scanner = Scanner(bytes: bytes, range: line)
        guard let stampRange = scanner.token() else { return nil }
        let ns: UInt64
        if let seconds = parseSecondsTimestamp(bytes, stampRange) {
            ns = seconds
        } else if stampRange.count > 4, bytes[stampRange.lowerBound + 4] == UInt8(ascii: "-") {
            ns = try wallTimestamp(bytes, stampRange, line: line, lineNumber: lineNumber, file: file)
        } else {
            return nil
        }
        let edge: PhysicalEdge
        if scanner.word(caseInsensitive: "rising") {
            edge = .rising
        } else if scanner.word(caseInsensitive: "falling") {
            edge = .falling
        } else {
            return nil
        }
        scanner.skipBlanks()
        guard !scanner.atEnd else { return nil }
        let rest = scanner.position..<line.upperBound

        // "name" alone.
        if bytes[rest.lowerBound] == UInt8(ascii: "\"") {
            guard let name = quotedName(bytes, rest) else { return nil }
            return Record(lineNumber: lineNumber, edge: edge, lineName: name, timestampNs: ns)
        }
        guard let first = scanner.token() else { return nil }
        // chip offset ["name" | name]
        if let secondRange = scanner.token(), let offset = parseOffset(bytes, secondRange) {
            let chip = String(decoding: bytes[first], as: UTF8.self)
            scanner.skipBlanks()
            if scanner.atEnd {
                return Record(lineNumber: lineNumber, edge: edge, offset: offset, chip: chip, timestampNs: ns)
            }
            let nameRange = scanner.position..<line.upperBound
            let name: String?
            if bytes[nameRange.lowerBound] == UInt8(ascii: "\"") {
                name = quotedName(bytes, nameRange)
            } else {
                name = String(decoding: bytes[nameRange], as: UTF8.self)
            }
            guard let name else { return nil }
            return Record(lineNumber: lineNumber, edge: edge, offset: offset, lineName: name, chip: chip, timestampNs: ns)
        }
        // An unquoted name (--unquoted): the rest of the line, which may hold blanks.
        return Record(lineNumber: lineNumber, edge: edge, lineName: String(decoding: bytes[rest], as: UTF8.self),
                      timestampNs: ns)
    }

    /// `"GPIO5"` → `GPIO5`; nil unless the range is exactly one quoted, non-empty name.
    private static func quotedName(_ bytes: [UInt8], _ range: Range<Int>) -> String? {
        guard range.count >= 3, bytes[range.lowerBound] == UInt8(ascii: "\""),
              bytes[range.upperBound - 1] == UInt8(ascii: "\"") else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        guard !bytes[inner].contains(UInt8(ascii: "\"")) else { return nil }
        return String(decoding: bytes[inner], as: UTF8.self)
    }

    private static func parseOffset(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 9 else { return nil }
        var value = 0
        for index in range {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
        }
        return value
    }

    /// `<digits>[.<1 to 9 digits>]` → nanoseconds, exactly.
    static func parseSecondsTimestamp(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64? {
        var index = range.lowerBound
        var seconds: UInt64 = 0
        var digits = 0
        while index < range.upperBound, isDigit(bytes[index]) {
            let (times10, o1) = seconds.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            seconds = sum
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        var fraction: UInt64 = 0
        if index < range.upperBound {
            guard bytes[index] == UInt8(ascii: ".") else { return nil }
            index += 1
            var fractionDigits = 0
            while index < range.upperBound, isDigit(bytes[index]) {
                fraction = fraction * 10 + UInt64(bytes[index] - UInt8(ascii: "0"))
                fractionDigits += 1
                index += 1
                guard fractionDigits <= 9 else { return nil }
            }
            guard fractionDigits > 0, index == range.upperBound else { return nil }
            for _ in fractionDigits..<9 { fraction *= 10 }
        }
        let (secondsNs, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, o2) = secondsNs.addingReportingOverflow(fraction)
        guard !o1, !o2 else { return nil }
        return total
    }

    /// A `--utc`/`--localtime` timestamp (`2024-05-01T12:00:00.123456789Z`, or without `Z`) →
    /// nanoseconds since 1970, read by ``RFC3339`` with the offset optional (local times as if UTC).
    /// A bad one is an error that says what is wrong with it, not just that the line is unreadable.
    static func wallTimestamp(_ bytes: [UInt8], _ range: Range<Int>, line: Range<Int>, lineNumber: Int,
                              file: String) throws(InputError) -> UInt64 {
        let problem: String
        do {
            let instant = try RFC3339.instant(bytes, range, offset: .optionalUTC)
            if let ns = instant.unsignedNanoseconds { return ns }
            problem = "its time is outside \(wallTimestampRange), the nanoseconds since 1970 a trace's 64-bit clock holds"
        } catch {
            problem = "\(error)"
        }
        throw InputError.malformedTrace(file: file, lineNumber: lineNumber,
                                        content: truncated(String(decoding: bytes[line], as: UTF8.self)),
                                        expected: exampleV2Wall + "; " + problem)
    }

    static let wallTimestampRange = "1970-01-01T00:00:00Z to 2554-07-21T23:34:33.709551615Z"
    static let exampleV2Wall = "\"2024-05-01T12:00:00.123456789Z<TAB>falling<TAB>gpiochip0 5\" (libgpiod 2.x, --utc or --localtime)"

    private static func hasPrefix(_ bytes: [UInt8], _ range: Range<Int>, _ prefix: String) -> Bool {
        let utf8 = prefix.utf8
        guard range.count >= utf8.count else { return false }
        var index = range.lowerBound
        for byte in utf8 {
            guard bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    /// Walks a line: blank-separated tokens and literals.
    private struct Scanner {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        init(bytes: [UInt8], range: Range<Int>) {
            self.bytes = bytes
            self.position = range.lowerBound
            self.end = range.upperBound
        }

        var atEnd: Bool { position >= end }

        mutating func skipBlanks() {
            while position < end && GpiomonTrace.isBlank(bytes[position]) { position += 1 }
        }

        /// The next run of non-blank bytes, after skipping blanks.
        mutating func token() -> Range<Int>? {
            skipBlanks()
            let start = position
            while position < end && !GpiomonTrace.isBlank(bytes[position]) { position += 1 }
            return start < position ? start..<position : nil
        }

        /// Consumes the next token if it is `word` (ASCII, any case).
        mutating func word(caseInsensitive word: String) -> Bool {
            let saved = position
            guard let range = token(), range.count == word.utf8.count else {
                position = saved
                return false
            }
            for (index, expected) in zip(range, word.utf8) where Self.lower(bytes[index]) != Self.lower(expected) {
                position = saved
                return false
            }
            return true
        }

        /// Consumes `literal` if the bytes at the position are exactly it.
        mutating func literal(_ literal: String) -> Bool {
            let utf8 = literal.utf8
            guard end - position >= utf8.count else { return false }
            for (offset, byte) in utf8.enumerated() where bytes[position + offset] != byte { return false }
            position += utf8.count
            return true
        }

        static func lower(_ byte: UInt8) -> UInt8 {
            byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
        }
    }

    // MARK: - Reading files

    static func readFile(_ path: String) throws(InputError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .traceUnreadable(path: path, reason: errnoText(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .traceUnreadable(path: path, reason: errnoText(errno)) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw .traceUnreadable(path: path, reason: "is a directory")
        }
        var result: [UInt8] = []
        result.reserveCapacity(max(Int(info.st_size), 0))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                result.append(contentsOf: chunk[0..<n])
            } else if n == 0 {
                return result
            } else if errno != EINTR {
                throw .traceUnreadable(path: path, reason: errnoText(errno))
            }
        }
    }

    private static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

import Foundation

/// A JSON reader made for the batch body: one pass over the bytes, straight into the fields the
/// contract defines, unknown keys skipped. It accepts exactly RFC 8259 JSON (escapes, surrogate
/// pairs, any key order and whitespace) and is several times faster than JSONDecoder with
/// optional fields, which is what a collector receiving tens of thousands of samples a second
/// spends most of its time on.
struct BatchParser {
    struct RawBatch {
        var terminal: String?
        var site: String?
        var batch: String?
        var samples: [RawSample]?
    }

    struct RawSample {
        var id: String?
        var survey: String?
        var button: Int?
        var buttonName: String?
        var scale: Int?
        var recordedAt: String?
        var utcOffsetSeconds: Int?
        var clockSynchronized: Bool?
        /// nil: absent; .some(nil): JSON null.
        var misuse: String??
    }

    struct Failure: Error {
        var message: String
    }

    static func parse(_ data: Data) throws(Failure) -> RawBatch {
        let result: Result<RawBatch, Failure> = data.withUnsafeBytes { raw in
            var parser = BatchParser(bytes: raw.bindMemory(to: UInt8.self))
            do throws(Failure) {
                let batch = try parser.parseBatch()
                parser.skipWhitespace()
                guard parser.position == parser.bytes.count else { throw parser.failure("unexpected text after the batch") }
                return .success(batch)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: The batch

    mutating func parseBatch() throws(Failure) -> RawBatch {
        var batch = RawBatch()
        try parseObject { (parser: inout BatchParser, key: String) throws(Failure) in
            switch key {
            case "terminal": batch.terminal = try parser.stringOrNull("terminal")
            case "site": batch.site = try parser.stringOrNull("site")
            case "batch": batch.batch = try parser.stringOrNull("batch")
            case "samples":
                var samples: [RawSample] = []
                try parser.parseArray("samples") { (parser: inout BatchParser, index: Int) throws(Failure) in
                    samples.append(try parser.parseSample(index))
                }
                batch.samples = samples
            default: try parser.skipValue()
            }
        }
        return batch
    }

    mutating func parseSample(_ index: Int) throws(Failure) -> RawSample {
        var sample = RawSample()
        let at = "samples[\(index)]"
        try parseObject { (parser: inout BatchParser, key: String) throws(Failure) in
            switch key {
            case "id": sample.id = try parser.stringOrNull("\(at).id")
            case "survey": sample.survey = try parser.stringOrNull("\(at).survey")
            case "button": sample.button = try parser.integerOrNull("\(at).button")
            case "buttonName": sample.buttonName = try parser.stringOrNull("\(at).buttonName")
            case "scale": sample.scale = try parser.integerOrNull("\(at).scale")
            case "recordedAt": sample.recordedAt = try parser.stringOrNull("\(at).recordedAt")
            case "utcOffsetSeconds": sample.utcOffsetSeconds = try parser.integerOrNull("\(at).utcOffsetSeconds")
            case "clockSynchronized": sample.clockSynchronized = try parser.boolOrNull("\(at).clockSynchronized")
            case "misuse": sample.misuse = .some(try parser.stringOrNull("\(at).misuse"))
            default: try parser.skipValue()
            }
        }
        return sample
    }

    // MARK: Values

    mutating func stringOrNull(_ field: String) throws(Failure) -> String? {
        skipWhitespace()
        if peek == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        guard peek == UInt8(ascii: "\"") else { throw failure("\(field): expected a string") }
        return try parseString()
    }

    mutating func integerOrNull(_ field: String) throws(Failure) -> Int? {
        skipWhitespace()
        if peek == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        let start = position
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        var value = 0
        var digits = 0
        while let c = peek, c >= 0x30, c <= 0x39 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(c - 0x30))
            guard !overflow1, !overflow2 else { throw failure("\(field): the number is too large") }
            value = sum
            digits += 1
            position += 1
        }
        if let c = peek, c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            throw failure("\(field): expected a whole number")
        }
        guard digits > 0 else {
            position = start
            throw failure("\(field): expected a whole number")
        }
        return negative ? -value : value
    }

    mutating func boolOrNull(_ field: String) throws(Failure) -> Bool? {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        case UInt8(ascii: "n"): try literal("null"); return nil
        default: throw failure("\(field): expected true or false")
        }
    }

    /// `{ "key": value, … }`, calling `member` with the parser positioned at each value.
    mutating func parseObject(_ member: (inout BatchParser, String) throws(Failure) -> Void) throws(Failure) {
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else { throw failure("expected an object") }
        position += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw failure("expected a key in quotes") }
            let key = try parseString()
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw failure("expected : after the key \"\(key.prefix(40))\"") }
            position += 1
            try member(&self, key)
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return
            default: throw failure("expected , or } in an object")
            }
        }
    }

    mutating func parseArray(_ field: String, _ element: (inout BatchParser, Int) throws(Failure) -> Void) throws(Failure) {
        skipWhitespace()
        guard peek == UInt8(ascii: "[") else { throw failure("\(field): expected a list") }
        position += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            position += 1
            return
        }
        var index = 0
        while true {
            try element(&self, index)
            index += 1
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return
            default: throw failure("\(field): expected , or ] in a list")
            }
        }
    }

    /// A string at the opening quote.
    mutating func parseString() throws(Failure) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while let c = peek, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\") {
            guard c >= 0x20 else { throw failure("a control character inside a string") }
            position += 1
        }
        guard let stop = peek else { throw failure("a string is not closed") }
        if stop == UInt8(ascii: "\"") {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            position += 1
            return text
        }
        var out = Array(bytes[start..<position])
        while true {
            guard let c = peek else { throw failure("a string is not closed") }
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw failure("a string is not closed") }
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard peek == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                            throw failure("a lone surrogate in \\u escape")
                        }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw failure("a lone surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw failure("a lone surrogate in \\u escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw failure("an invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw failure("an invalid escape \\\(Character(Unicode.Scalar(e)))")
                }
            default:
                guard c >= 0x20 else { throw failure("a control character inside a string") }
                out.append(c)
            }
        }
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            default: throw failure("a bad hex digit in a \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// Skips any JSON value (unknown keys).
    mutating func skipValue() throws(Failure) {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "\""): _ = try parseString()
        case UInt8(ascii: "{"): try parseObject { (parser: inout BatchParser, _: String) throws(Failure) in try parser.skipValue() }
        case UInt8(ascii: "["): try parseArray("a list") { (parser: inout BatchParser, _: Int) throws(Failure) in try parser.skipValue() }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case let c? where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39):
            position += 1
            while let c = peek, (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: ".") || c == UInt8(ascii: "e")
                || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                position += 1
            }
        default:
            throw failure("expected a value")
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw failure("expected \(word)") }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw failure("expected \(word)") }
        position += count
    }

    mutating func skipWhitespace() {
        while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { position += 1 }
    }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    func failure(_ message: String) -> Failure {
        Failure(message: "at byte \(position): \(message)")
    }
}

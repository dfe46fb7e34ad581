/// A strict reader of one JSON text (RFC 8259) over bytes, for the decoders of the wire types:
/// UTF-8 only, the four whitespace characters, numbers by the RFC's grammar, strings with their
/// escapes and surrogate pairs, nesting at most ``maxDepth`` deep. It reads straight into the
/// caller's fields without building a tree; errors carry the byte where reading stopped.
struct WireReader {
    struct Failure: Error {
        var offset: Int
        var problem: String
        /// The member the problem is about, below the object being read (a duplicate, an unknown one).
        var member: String? = nil
    }

    /// What to do with a member the type does not have.
    enum UnknownMembers {
        /// Refused (`additionalProperties: false`).
        case refused
        /// Read and dropped.
        case skipped
    }

    /// Objects and arrays nest at most this deep (the contract's documents nest 3 deep): a body
    /// of nested brackets is refused instead of exhausting the stack.
    static let maxDepth = 32

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    func failure(_ problem: String) -> Failure {
        Failure(offset: position, problem: problem)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            let c = bytes[position]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            position += 1
        }
    }

    /// Nothing but whitespace after the document.
    mutating func end(_ document: String) throws(Failure) {
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected text after the \(document)") }
    }

    // MARK: Objects and arrays

    mutating func beginObject() throws(Failure) {
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else { throw failure("expected an object") }
        try enter()
    }

    mutating func beginArray(_ what: String = "a list") throws(Failure) {
        skipWhitespace()
        guard peek == UInt8(ascii: "[") else { throw failure("expected \(what)") }
        try enter()
    }

    private mutating func enter() throws(Failure) {
        guard depth < Self.maxDepth else {
            throw failure("objects and lists nest deeper than \(Self.maxDepth) levels; the contract's bodies nest at most 3")
        }
        depth += 1
        position += 1
    }

    /// The next member of an object the type knows, with the reader at its value; nil after the
    /// closing brace. `count` and `seen` start at 0 for each object: a member given twice is refused.
    mutating func nextKey<Key: WireKey>(_: Key.Type, count: inout Int, seen: inout UInt64,
                                        unknown: UnknownMembers) throws(Failure) -> Key? {
        while try nextMember(count: &count) {
            let start = position
            let match = try key(Key.self)
            try colon()
            switch match {
            case .known(let key, let ordinal):
                let bit: UInt64 = 1 << UInt64(ordinal)
                guard seen & bit == 0 else {
                    throw Failure(offset: start, problem: "given twice; each member is given once", member: key.rawValue)
                }
                seen |= bit
                return key
            case .unknown(let name):
                guard unknown == .skipped else {
                    throw Failure(offset: start, problem: "not a member here; allowed: \(Key.allCases.map(\.rawValue).joined(separator: ", "))",
                                  member: String(name.prefix(40)))
                }
                do {
                    try skipValue()
                } catch {
                    var failure = error
                    failure.member = failure.member ?? String(name.prefix(40))
                    throw failure
                }
            }
        }
        return nil
    }

    /// Moves to the next member's key (its opening quote); false after the closing brace.
    private mutating func nextMember(count: inout Int) throws(Failure) -> Bool {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "}"):
            position += 1
            depth -= 1
            return false
        case UInt8(ascii: ",") where count > 0:
            position += 1
            skipWhitespace()
        default:
            guard count == 0 else { throw failure("expected , or } in an object") }
        }
        count += 1
        guard peek == UInt8(ascii: "\"") else { throw failure("expected a key in quotes") }
        return true
    }

    private mutating func colon() throws(Failure) {
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else { throw failure("expected : after a key") }
        position += 1
    }

    /// Moves to the next element of a list; false after the closing bracket.
    mutating func nextElement(count: inout Int) throws(Failure) -> Bool {
        skipWhitespace()
        if count == 0 {
            if peek == UInt8(ascii: "]") {
                position += 1
                depth -= 1
                return false
            }
        } else {
            switch peek {
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return false
            case UInt8(ascii: ","):
                position += 1
            default:
                throw failure("expected , or ] in a list")
            }
        }
        count += 1
        return true
    }

    /// A key at its opening quote, matched against `Key`'s names byte by byte (no String is made
    /// for a known key written without escapes).
    private mutating func key<Key: WireKey>(_: Key.Type) throws(Failure) -> WireKeyMatch<Key> {
        let start = position + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            let written = UnsafeBufferPointer(rebasing: bytes[start..<end])
            for (ordinal, candidate) in Key.allCases.enumerated() {
                var name = candidate.rawValue
                let same = name.withUTF8 { $0.count == written.count && $0.elementsEqual(written) }
                if same {
                    position = end + 1
                    return .known(candidate, ordinal: ordinal)
                }
            }
        }
        let text = try stringBody()
        for (ordinal, candidate) in Key.allCases.enumerated() where candidate.rawValue == text {
            return .known(candidate, ordinal: ordinal)
        }
        return .unknown(text)
    }

    // MARK: Values

    /// True (and past it) when the next value is `null`.
    mutating func null() throws(Failure) -> Bool {
        skipWhitespace()
        guard peek == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func string() throws(Failure) -> String {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw failure("expected a string") }
        return try stringBody()
    }

    mutating func bool() throws(Failure) -> Bool {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw failure("expected true or false")
        }
    }

    /// A whole number written as RFC 8259 does (`-`, then `0` or digits not starting with 0), with
    /// no fraction or exponent, that fits in 64 bits.
    mutating func integer() throws(Failure) -> Int64 {
        skipWhitespace()
        let start = position
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard let first = peek, first >= 0x30, first <= 0x39 else {
            position = start
            throw failure("expected a whole number")
        }
        if first == 0x30, let next = peek(at: position + 1), next >= 0x30, next <= 0x39 {
            throw failure("a number does not start with 0 (RFC 8259)")
        }
        // Accumulated as a negative number: Int64.min has no positive counterpart.
        var value: Int64 = 0
        while let c = peek, c >= 0x30, c <= 0x39 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.subtractingReportingOverflow(Int64(c - 0x30))
            guard !overflow1, !overflow2 else { throw failure("the number is too large for a whole number of 64 bits") }
            value = sum
            position += 1
        }
        if let c = peek, c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            throw failure("expected a whole number (no fraction or exponent)")
        }
        if negative { return value }
        guard value != .min else { throw failure("the number is too large for a whole number of 64 bits") }
        return -value
    }

    /// Any value, read and dropped (a member the type does not know and its schema allows).
    mutating func skipValue() throws(Failure) {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "\""):
            _ = try stringBody()
        case UInt8(ascii: "{"):
            try beginObject()
            var count = 0
            while try nextMember(count: &count) {
                _ = try stringBody()
                try colon()
                try skipValue()
            }
        case UInt8(ascii: "["):
            try beginArray()
            var count = 0
            while try nextElement(count: &count) { try skipValue() }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case let c? where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39):
            try skipNumber()
        default:
            throw failure("expected a value")
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func skipNumber() throws(Failure) {
        if peek == UInt8(ascii: "-") { position += 1 }
        guard let first = peek, isDigit(first) else { throw failure("a malformed number") }
        position += 1
        if first != 0x30 {
            while let c = peek, isDigit(c) { position += 1 }
        }
        if peek == UInt8(ascii: ".") {
            position += 1
            guard let c = peek, isDigit(c) else { throw failure("a malformed number: digits must follow the point") }
            while let c = peek, isDigit(c) { position += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            guard let c = peek, isDigit(c) else { throw failure("a malformed number: digits must follow the exponent") }
            while let c = peek, isDigit(c) { position += 1 }
        }
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private func peek(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// A string at its opening quote: escapes decoded, UTF-8 checked.
    mutating func stringBody() throws(Failure) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while let c = peek, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\") {
            guard c >= 0x20 else { throw failure("a control character inside a string (write it as an escape)") }
            position += 1
        }
        guard let stop = peek else { throw failure("a string is not closed") }
        if stop == UInt8(ascii: "\"") {
            guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self) else {
                throw Failure(offset: start, problem: "a string that is not UTF-8")
            }
            position += 1
            return text
        }
        var out = Array(bytes[start..<position])
        while true {
            guard let c = peek else { throw failure("a string is not closed") }
            switch c {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else {
                    throw Failure(offset: start, problem: "a string that is not UTF-8")
                }
                position += 1
                return text
            case UInt8(ascii: "\\"):
                position += 1
                try escape(into: &out)
            default:
                guard c >= 0x20 else { throw failure("a control character inside a string (write it as an escape)") }
                out.append(c)
                position += 1
            }
        }
    }

    /// One escape, after its backslash.
    private mutating func escape(into out: inout [UInt8]) throws(Failure) {
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
                guard peek == UInt8(ascii: "\\"), peek(at: position + 1) == UInt8(ascii: "u") else {
                    throw failure("a lone surrogate in a \\u escape")
                }
                position += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("a lone surrogate in a \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw failure("a lone surrogate in a \\u escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw failure("an invalid \\u escape") }
            UTF8.encode(unicode) { out.append($0) }
        default:
            position -= 1
            throw failure("an invalid escape \\\(Character(Unicode.Scalar(e))); allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("a short \\u escape (four hex digits)") }
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

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        let matches = word.withUTF8Buffer { expected in
            position + count <= bytes.count && (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw failure("expected \(word)") }
        position += count
    }
}

/// The member names of one wire type.
protocol WireKey: RawRepresentable<String>, CaseIterable {}

/// A key read from an object: one of the type's, or another.
enum WireKeyMatch<Key: WireKey> {
    case known(Key, ordinal: Int)
    case unknown(String)
}

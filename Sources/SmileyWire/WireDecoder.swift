import Foundation

/// The strict decoder of the upstream contract's bodies (api/openapi.yaml): one pass over the
/// bytes with ``WireReader`` straight into the wire types, every value checked against its schema.
///
/// - A member the schema does not name is refused where the schema says
///   `additionalProperties: false` (a batch and its samples) and skipped elsewhere (heartbeat,
///   receipt, error body: newer peers may add fields).
/// - A member given twice is refused.
/// - Objects and lists nest at most ``maxDepth`` deep; numbers follow RFC 8259 and must fit their
///   field's range; strings must be UTF-8.
/// - Errors say what is wrong, where (JSON path, and the byte for a malformed body) and what is allowed.
public enum WireDecoder {
    public static let maxDepth = WireReader.maxDepth

    /// Identifiers (terminal, site, survey, button name): 1 to 64 characters, not only spaces, no
    /// control characters.
    public static let maxIdentifierLength = 64

    /// A `POST /v1/batches` body.
    public static func batch(from body: some ContiguousBytes) throws(WireDecodingError) -> WireBatch {
        try read(body) { (bytes) throws(WireDecodingError) in try readBatch(bytes) }
    }

    /// A `POST /v1/heartbeat` body.
    public static func heartbeat(from body: some ContiguousBytes) throws(WireDecodingError) -> Heartbeat {
        try read(body) { (bytes) throws(WireDecodingError) in try readHeartbeat(bytes) }
    }

    /// The receipt a receiver answers to a batch.
    public static func receipt(from body: some ContiguousBytes) throws(WireDecodingError) -> BatchReceipt {
        try read(body) { (bytes) throws(WireDecodingError) in try readReceipt(bytes) }
    }

    /// An error answer's body.
    public static func errorBody(from body: some ContiguousBytes) throws(WireDecodingError) -> WireErrorBody {
        try read(body) { (bytes) throws(WireDecodingError) in try readErrorBody(bytes) }
    }

    private static func read<T>(_ body: some ContiguousBytes,
                                _ decode: (UnsafeBufferPointer<UInt8>) throws(WireDecodingError) -> T) throws(WireDecodingError) -> T {
        let result: Result<T, WireDecodingError> = body.withUnsafeBytes { raw in
            Result { () throws(WireDecodingError) -> T in try decode(raw.bindMemory(to: UInt8.self)) }
        }
        return try result.get()
    }

    /// Reads a body that is one object of `Key`'s members, calling `member` with the reader at each
    /// known member's value and `path` naming it; a body that is not well-formed for its type throws
    /// `the body is not a <document>: at byte …: <path>: <problem>`.
    static func readObject<Key: WireKey>(_ bytes: UnsafeBufferPointer<UInt8>, document: String, _: Key.Type,
                                         unknown: WireReader.UnknownMembers,
                                         _ member: (Key, inout WireReader, inout WirePath) throws(WireReader.Failure) -> Void)
        throws(WireDecodingError) {
        var reader = WireReader(bytes)
        var path = WirePath()
        do throws(WireReader.Failure) {
            try reader.beginObject()
            var count = 0
            var seen: UInt64 = 0
            while let key = try reader.nextKey(Key.self, count: &count, seen: &seen, unknown: unknown) {
                path = WirePath(key: key.rawValue)
                try member(key, &reader, &path)
                path = WirePath()
            }
            try reader.end(document)
        } catch {
            let article = "aeiou".contains(document.first ?? "b") ? "an" : "a"
            throw .syntax("\(article) \(document)", offset: error.offset,
                          path: error.member.map { path.appending($0) } ?? path.text, problem: error.problem)
        }
    }

    // MARK: Shared checks

    /// 1 to 64 characters, not only spaces, no control characters; printable ASCII (the usual
    /// case) is checked byte by byte without Unicode tables.
    public static func isIdentifier(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard !utf8.isEmpty else { return false }
        if utf8.count <= maxIdentifierLength, utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return utf8.contains { $0 != 0x20 }
        }
        return !value.trimmingCharacters(in: .whitespaces).isEmpty && value.count <= maxIdentifierLength
            && !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    }

    static func identifier(_ value: String?, _ path: String) throws(WireDecodingError) -> String {
        guard let value, isIdentifier(value) else {
            throw .contract(path, "expected a text of 1 to \(maxIdentifierLength) characters without control characters")
        }
        return value
    }

    /// A UUID in its 36-character form, either case, without Foundation's scanner.
    public static func uuid(_ text: String) -> UUID? {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = text.utf8.withContiguousStorageIfAvailable { chars -> Bool in
            guard chars.count == 36 else { return false }
            return withUnsafeMutableBytes(of: &bytes) { out -> Bool in
                var index = 0
                var position = 0
                while position < 36 {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        guard chars[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                        continue
                    }
                    guard let high = hexValue(chars[position]), let low = hexValue(chars[position + 1]) else { return false }
                    out[index] = high << 4 | low
                    index += 1
                    position += 2
                }
                return true
            }
        }
        switch ok {
        case true?: return UUID(uuid: bytes)
        case false?: return nil
        case nil: return UUID(uuidString: text)
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}

/// Where the decoder is, kept cheaply while reading and written out only for an error:
/// `samples[3].button`.
struct WirePath {
    var key: String?
    var index: Int?
    var member: String?

    init(key: String? = nil) {
        self.key = key
    }

    var text: String {
        var out = key ?? ""
        if let index { out += "[\(index)]" }
        if let member { out += out.isEmpty ? member : "." + member }
        return out
    }

    /// The path of a member of the object at this path.
    func appending(_ name: String) -> String {
        let base = text
        return base.isEmpty ? name : base + "." + name
    }
}

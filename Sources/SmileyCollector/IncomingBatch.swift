import Foundation
import SmileyCore

/// A batch as posted to `/v1/batches`, decoded and checked field by field.
public struct IncomingBatch: Sendable, Equatable {
    public var terminal: String
    public var site: String
    public var batch: String
    public var samples: [IncomingSample]
}

public struct IncomingSample: Sendable, Equatable {
    public var uuid: UUID
    public var survey: String
    public var button: Int
    public var buttonName: String
    public var scale: Int
    public var recordedAtMs: Int64
    public var utcOffsetSeconds: Int
    public var clockSynchronized: Bool
    public var misuse: MisuseReason?

    /// Lowercase canonical UUID.
    public var id: String { uuid.uuidString.lowercased() }

    /// `YYYY-MM-DD` of the press in the terminal's zone (its offset at the press).
    public var localDay: String { RFC3339.day(ofMs: recordedAtMs + Int64(utcOffsetSeconds) * 1000) }
}

/// A request the contract does not allow, with what is wrong and where.
public struct BatchValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

enum BatchDecoder {
    static let maxSamples = 10_000
    static let maxTextLength = 64

    static func decode(_ data: Data) throws(BatchValidationError) -> IncomingBatch {
        let raw: BatchParser.RawBatch
        do {
            raw = try BatchParser.parse(data)
        } catch {
            throw BatchValidationError(message: "the body is not a batch: \(error.message)")
        }
        let terminal = try text(raw.terminal, "terminal")
        let site = try text(raw.site, "site")
        guard let batch = raw.batch, let batchID = parseUUID(batch) else {
            throw BatchValidationError(message: "batch: expected the batch's UUID")
        }
        guard let rawSamples = raw.samples else { throw BatchValidationError(message: "samples: required (a list)") }
        guard !rawSamples.isEmpty, rawSamples.count <= maxSamples else {
            throw BatchValidationError(message: "samples: \(rawSamples.count) given; 1 to \(maxSamples) allowed")
        }
        var samples: [IncomingSample] = []
        samples.reserveCapacity(rawSamples.count)
        var seen = Set<UUID>()
        for (index, sample) in rawSamples.enumerated() {
            let at = "samples[\(index)]"
            guard let id = sample.id, let uuid = parseUUID(id) else {
                throw BatchValidationError(message: "\(at).id: expected a UUID")
            }
            guard seen.insert(uuid).inserted else {
                throw BatchValidationError(message: "\(at).id: \(id) appears twice in the batch")
            }
            guard let scale = sample.scale, Scale.allowedButtonCounts.contains(scale) else {
                throw BatchValidationError(message: "\(at).scale: expected \(Scale.allowedButtonCounts.lowerBound) to \(Scale.allowedButtonCounts.upperBound)")
            }
            guard let button = sample.button, (0..<scale).contains(button) else {
                throw BatchValidationError(message: "\(at).button: expected 0 to \(scale - 1) (0 = most negative)")
            }
            guard let recordedAt = sample.recordedAt, let ms = RFC3339.ms(parsing: recordedAt) else {
                throw BatchValidationError(message: "\(at).recordedAt: expected an RFC 3339 time such as 2026-11-22T09:15:02.123Z")
            }
            guard let offset = sample.utcOffsetSeconds, abs(offset) <= 18 * 3600 else {
                throw BatchValidationError(message: "\(at).utcOffsetSeconds: expected -64800 to 64800")
            }
            guard let synchronized = sample.clockSynchronized else {
                throw BatchValidationError(message: "\(at).clockSynchronized: expected true or false")
            }
            var misuse: MisuseReason?
            if case let value?? = sample.misuse {
                guard let reason = MisuseReason(rawValue: value) else {
                    throw BatchValidationError(message: "\(at).misuse: expected null, \"interval\" or \"simultaneous\"")
                }
                misuse = reason
            }
            samples.append(IncomingSample(
                uuid: uuid, survey: try text(sample.survey, "\(at).survey"), button: button,
                buttonName: try text(sample.buttonName, "\(at).buttonName"), scale: scale, recordedAtMs: ms,
                utcOffsetSeconds: offset, clockSynchronized: synchronized, misuse: misuse))
        }
        return IncomingBatch(terminal: terminal, site: site, batch: batchID.uuidString.lowercased(), samples: samples)
    }

    static func text(_ value: String?, _ field: String) throws(BatchValidationError) -> String {
        guard let value, isValidText(value) else {
            throw BatchValidationError(message: "\(field): expected a text of 1 to \(maxTextLength) characters without control characters")
        }
        return value
    }

    /// 1 to 64 characters, not only spaces, no control characters; printable ASCII (the usual
    /// case) is checked byte by byte without Unicode tables.
    static func isValidText(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard !utf8.isEmpty else { return false }
        if utf8.count <= maxTextLength, utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return utf8.contains { $0 != 0x20 }
        }
        return !value.trimmingCharacters(in: .whitespaces).isEmpty && value.count <= maxTextLength
            && !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    }

    /// A UUID in its 36-character form, either case, without Foundation's scanner.
    static func parseUUID(_ text: String) -> UUID? {
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

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.keyNotFound(_, let context), DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return (path.isEmpty ? "" : "at \(path.hasPrefix(".") ? String(path.dropFirst()) : path): ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}

import Foundation
import SmileyCore
import NIOCore
import SmileyStore

/// The JSON bodies of the upstream contract (api/openapi.yaml).
///
/// A batch is encoded by hand, not with JSONEncoder: the encoding is deterministic (a retry sends
/// the very same bytes under the same Idempotency-Key, which the receiver's payload check relies
/// on), and fast enough to move tens of thousands of samples a second on a small board.
public enum WireFormat {
    /// `{"terminal":…,"site":…,"batch":…,"samples":[…]}` for `POST /v1/batches`.
    public static func encode(_ batch: SyncBatch) -> ByteBuffer {
        var out = [UInt8]()
        out.reserveCapacity(96 + batch.samples.count * 260)
        out.append(contentsOf: #"{"terminal":"#.utf8)
        appendString(batch.terminal, to: &out)
        out.append(contentsOf: #","site":"#.utf8)
        appendString(batch.site, to: &out)
        out.append(contentsOf: #","batch":""#.utf8)
        appendUUID(batch.id, to: &out)
        out.append(contentsOf: #"","samples":["#.utf8)
        for (index, sample) in batch.samples.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendSample(sample, to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return ByteBuffer(bytes: out)
    }

    static func appendSample(_ sample: UploadSample, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":""#.utf8)
        appendUUID(sample.id, to: &out)
        out.append(contentsOf: #"","survey":"#.utf8)
        appendString(sample.survey, to: &out)
        out.append(contentsOf: #","button":"#.utf8)
        appendInteger(sample.button, to: &out)
        out.append(contentsOf: #","buttonName":"#.utf8)
        appendString(sample.buttonName, to: &out)
        out.append(contentsOf: #","scale":"#.utf8)
        appendInteger(sample.scale, to: &out)
        out.append(contentsOf: #","recordedAt":""#.utf8)
        RFC3339.append(ms: sample.recordedAtMs, to: &out)
        out.append(contentsOf: #"","utcOffsetSeconds":"#.utf8)
        appendInteger(sample.utcOffsetSeconds, to: &out)
        out.append(contentsOf: #","clockSynchronized":"#.utf8)
        out.append(contentsOf: (sample.clockSynchronized ? "true" : "false").utf8)
        out.append(contentsOf: #","misuse":"#.utf8)
        if let misuse = sample.misuse {
            appendString(misuse.rawValue, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A UUID in its canonical lowercase form (RFC 9562), without allocating a String.
    static func appendUUID(_ id: UUID, to out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        withUnsafeBytes(of: id.uuid) { bytes in
            hex.withUTF8Buffer { digits in
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0x0F)])
                }
            }
        }
    }

    static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// What the receiver answers to an accepted batch. A 2xx without a receipt that names the batch
/// and accounts for every sample is not taken as delivery (a captive portal or a proxy answers
/// 200 too): the batch is sent again.
public struct BatchReceipt: Codable, Sendable, Equatable {
    public var batch: String
    /// Samples stored by this request.
    public var accepted: Int
    /// Samples the receiver already had (sent before under another key, or a replay).
    public var duplicates: Int

    public init(batch: String, accepted: Int, duplicates: Int) {
        self.batch = batch
        self.accepted = accepted
        self.duplicates = duplicates
    }

    /// Parses and checks a receipt for `batch`; nil with the reason when it does not fit.
    public static func validate(_ body: ByteBuffer, for batch: SyncBatch) -> Result<BatchReceipt, ReceiptProblem> {
        guard let receipt = try? JSONDecoder().decode(BatchReceipt.self, from: Data(body.readableBytesView)) else {
            return .failure(ReceiptProblem(reason: "the answer is not a batch receipt (\(body.readableBytes) bytes of \(Self.sniff(body)))"))
        }
        guard UUID(uuidString: receipt.batch) == batch.id else {
            return .failure(ReceiptProblem(reason: "the receipt is for batch \(receipt.batch.prefix(40)), not \(batch.id.uuidString.lowercased())"))
        }
        guard receipt.accepted >= 0, receipt.duplicates >= 0, receipt.accepted + receipt.duplicates == batch.samples.count else {
            return .failure(ReceiptProblem(reason: "the receipt accounts for \(receipt.accepted) + \(receipt.duplicates) samples, the batch has \(batch.samples.count)"))
        }
        return .success(receipt)
    }

    static func sniff(_ body: ByteBuffer) -> String {
        let start = String(decoding: body.readableBytesView.prefix(16), as: UTF8.self)
        return start.hasPrefix("<") ? "HTML" : "something else"
    }
}

public struct ReceiptProblem: Error, Sendable {
    public var reason: String
}

/// `POST /v1/heartbeat`: how the terminal is doing.
public struct Heartbeat: Codable, Sendable, Equatable {
    public var terminal: String
    public var site: String
    public var version: String
    public var sentAt: String
    public var uptimeSeconds: Int64
    /// Unsynced samples (quarantined included).
    public var backlog: Int
    public var lastPressAt: String?
    public var lastSyncAt: String?
    public var clockSynchronized: Bool
    public var heldButtons: [String]
    public var diskFreeBytes: Int64?
    public var lowDisk: Bool
    public var quarantinedBatches: Int
    public var quarantinedSamples: Int
    public var lastError: String?

    public init(terminal: String, site: String, version: String, sentAt: String, uptimeSeconds: Int64, backlog: Int,
                lastPressAt: String?, lastSyncAt: String?, clockSynchronized: Bool, heldButtons: [String],
                diskFreeBytes: Int64?, lowDisk: Bool, quarantinedBatches: Int, quarantinedSamples: Int, lastError: String?) {
        self.terminal = terminal
        self.site = site
        self.version = version
        self.sentAt = sentAt
        self.uptimeSeconds = uptimeSeconds
        self.backlog = backlog
        self.lastPressAt = lastPressAt
        self.lastSyncAt = lastSyncAt
        self.clockSynchronized = clockSynchronized
        self.heldButtons = heldButtons
        self.diskFreeBytes = diskFreeBytes
        self.lowDisk = lowDisk
        self.quarantinedBatches = quarantinedBatches
        self.quarantinedSamples = quarantinedSamples
        self.lastError = lastError
    }
}

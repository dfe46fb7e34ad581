import Foundation
import SmileyCore

/// The encoder of the upstream contract's bodies (api/openapi.yaml), written by hand, not with
/// JSONEncoder: the encoding is deterministic (a retry sends the very same bytes under the same
/// Idempotency-Key, which the receiver's payload check relies on), members come in the schema's
/// order, and a batch is encoded fast enough for the drain of a large backlog on a small board.
public enum WireEncoder {
    /// `{"terminal":…,"site":…,"batch":…,"samples":[…]}` for `POST /v1/batches`.
    public static func encode(_ batch: WireBatch) -> [UInt8] {
        encodeBatch(terminal: batch.terminal, site: batch.site, id: batch.id, samples: batch.samples)
    }

    /// A batch whose samples are made as they are written (the uploader maps its stored rows
    /// lazily, without an array of wire samples in between).
    @inlinable
    public static func encodeBatch<Samples: Collection>(terminal: String, site: String, id: UUID,
                                                         samples: Samples) -> [UInt8] where Samples.Element == WireSample {
        var out = [UInt8]()
        out.reserveCapacity(96 + samples.count * 260)
        out.append(contentsOf: #"{"terminal":"#.utf8)
        appendString(terminal, to: &out)
        out.append(contentsOf: #","site":"#.utf8)
        appendString(site, to: &out)
        out.append(contentsOf: #","batch":""#.utf8)
        appendUUID(id, to: &out)
        out.append(contentsOf: #"","samples":["#.utf8)
        var first = true
        for sample in samples {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendSample(sample, to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// `{"batch":…,"accepted":…,"duplicates":…}`, the receipt for an accepted batch.
    public static func encode(_ receipt: BatchReceipt) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(96)
        out.append(contentsOf: #"{"batch":"#.utf8)
        appendString(receipt.batch, to: &out)
        out.append(contentsOf: #","accepted":"#.utf8)
        appendInteger(receipt.accepted, to: &out)
        out.append(contentsOf: #","duplicates":"#.utf8)
        appendInteger(receipt.duplicates, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `{"error":…}`, the body of every error answer.
    public static func encode(_ body: WireErrorBody) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(body.error.utf8.count + 16)
        out.append(contentsOf: #"{"error":"#.utf8)
        appendString(body.error, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A heartbeat, every member written (absent optional ones as null).
    public static func encode(_ heartbeat: Heartbeat) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(512)
        out.append(contentsOf: #"{"terminal":"#.utf8)
        appendString(heartbeat.terminal, to: &out)
        out.append(contentsOf: #","site":"#.utf8)
        appendString(heartbeat.site, to: &out)
        out.append(contentsOf: #","version":"#.utf8)
        appendString(heartbeat.version, to: &out)
        out.append(contentsOf: #","sentAt":"#.utf8)
        appendString(heartbeat.sentAt, to: &out)
        out.append(contentsOf: #","uptimeSeconds":"#.utf8)
        appendInteger(heartbeat.uptimeSeconds, to: &out)
        out.append(contentsOf: #","backlog":"#.utf8)
        appendInteger(heartbeat.backlog, to: &out)
        out.append(contentsOf: #","lastPressAt":"#.utf8)
        appendOptionalString(heartbeat.lastPressAt, to: &out)
        out.append(contentsOf: #","lastSyncAt":"#.utf8)
        appendOptionalString(heartbeat.lastSyncAt, to: &out)
        out.append(contentsOf: #","clockSynchronized":"#.utf8)
        appendBool(heartbeat.clockSynchronized, to: &out)
        out.append(contentsOf: #","heldButtons":["#.utf8)
        for (index, name) in heartbeat.heldButtons.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(name, to: &out)
        }
        out.append(contentsOf: #"],"floodingButtons":["#.utf8)
        for (index, name) in heartbeat.floodingButtons.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(name, to: &out)
        }
        out.append(contentsOf: #"],"diskFreeBytes":"#.utf8)
        if let free = heartbeat.diskFreeBytes { appendInteger(free, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","lowDisk":"#.utf8)
        appendBool(heartbeat.lowDisk, to: &out)
        out.append(contentsOf: #","quarantinedBatches":"#.utf8)
        appendInteger(heartbeat.quarantinedBatches, to: &out)
        out.append(contentsOf: #","quarantinedSamples":"#.utf8)
        appendInteger(heartbeat.quarantinedSamples, to: &out)
        out.append(contentsOf: #","lastError":"#.utf8)
        appendOptionalString(heartbeat.lastError, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    // MARK: Pieces

    @inlinable
    static func appendSample(_ sample: WireSample, to out: inout [UInt8]) {
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
        appendBool(sample.clockSynchronized, to: &out)
        out.append(contentsOf: #","misuse":"#.utf8)
        appendOptionalString(sample.misuse?.rawValue, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    @inlinable
    static func appendBool(_ value: Bool, to out: inout [UInt8]) {
        out.append(contentsOf: (value ? "true" : "false").utf8)
    }

    @inlinable
    static func appendOptionalString(_ text: String?, to out: inout [UInt8]) {
        if let text { appendString(text, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    /// A UUID in its canonical lowercase form (RFC 9562), without allocating a String.
    @inlinable
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

    @inlinable
    static func appendInteger<Integer: BinaryInteger>(_ value: Integer, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
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
    @inlinable
    static func appendString(_ text: String, to out: inout [UInt8]) {
        JSONStringLiteral.append(text, to: &out)
    }
}

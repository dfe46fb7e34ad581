import Foundation

/// What the receiver answers to an accepted batch (api/openapi.yaml, `Receipt`). A 2xx without a
/// receipt that names the batch and accounts for every sample is not taken as delivery (a captive
/// portal or a proxy answers 200 too): the batch is sent again.
public struct BatchReceipt: Sendable, Equatable {
    /// The batch's UUID.
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

    /// Reads and checks a receipt for batch `id` of `sampleCount` samples; the reason when it does not fit.
    public static func validate(_ body: some ContiguousBytes, batch id: UUID, sampleCount: Int) -> Result<BatchReceipt, ReceiptProblem> {
        let receipt: BatchReceipt
        do {
            receipt = try WireDecoder.receipt(from: body)
        } catch {
            let count = body.withUnsafeBytes { $0.count }
            return .failure(ReceiptProblem(reason: "the answer is not a batch receipt (\(count) bytes of \(sniff(body)))"))
        }
        guard UUID(uuidString: receipt.batch) == id else {
            return .failure(ReceiptProblem(reason: "the receipt is for batch \(receipt.batch.prefix(40)), not \(id.uuidString.lowercased())"))
        }
        guard receipt.accepted + receipt.duplicates == sampleCount else {
            return .failure(ReceiptProblem(reason: "the receipt accounts for \(receipt.accepted) + \(receipt.duplicates) samples, the batch has \(sampleCount)"))
        }
        return .success(receipt)
    }

    static func sniff(_ body: some ContiguousBytes) -> String {
        let start = body.withUnsafeBytes { String(decoding: $0.prefix(16), as: UTF8.self) }
        return start.hasPrefix("<") ? "HTML" : "something else"
    }
}

/// Why an answer is not taken as a receipt for the batch sent.
public struct ReceiptProblem: Error, Sendable {
    public var reason: String
}

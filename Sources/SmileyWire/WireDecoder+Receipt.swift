extension WireDecoder {
    enum ReceiptKey: String, WireKey {
        case batch, accepted, duplicates
    }

    enum ErrorBodyKey: String, WireKey {
        case error
    }

    /// Members a receiver adds are skipped (the schema allows them).
    static func readReceipt(_ bytes: UnsafeBufferPointer<UInt8>) throws(WireDecodingError) -> BatchReceipt {
        var batch: String?
        var accepted, duplicates: Int64?
        try readObject(bytes, document: "receipt", ReceiptKey.self, unknown: .skipped) { (key, reader, _) throws(WireReader.Failure) in
            switch key {
            case .batch: batch = try reader.string()
            case .accepted: accepted = try reader.integer()
            case .duplicates: duplicates = try reader.integer()
            }
        }
        guard let batch, uuid(batch) != nil else { throw .contract("batch", "expected the batch's UUID") }
        guard let accepted else { throw .contract("accepted", "required (a count)") }
        guard let duplicates else { throw .contract("duplicates", "required (a count)") }
        return BatchReceipt(batch: batch, accepted: Int(try count(accepted, "accepted")),
                            duplicates: Int(try count(duplicates, "duplicates")))
    }

    static func readErrorBody(_ bytes: UnsafeBufferPointer<UInt8>) throws(WireDecodingError) -> WireErrorBody {
        var message: String?
        try readObject(bytes, document: "error body", ErrorBodyKey.self, unknown: .skipped) { (key, reader, _) throws(WireReader.Failure) in
            switch key {
            case .error: message = try reader.string()
            }
        }
        guard let message else { throw .contract("error", "required (a text)") }
        return WireErrorBody(error: message)
    }
}

extension WireDecoder {
    enum ReceiptKey: String, WireKey {
        case batch, accepted, duplicates
    }

    enum ErrorBodyKey: String, WireKey {
        case error
    }

    /// Members a receiver adds are skipped (the schema allows them).
    static func readReceipt(_ bytes: UnsafeBufferPointer<UInt8>) throws(WireDecodingError) -> BatchReceipt {
        var reader = WireReader(bytes)
        var path = WirePath()
        var batch: String?
        var accepted, duplicates: Int64?
        do throws(WireReader.Failure) {
            try reader.beginObject()
            var count = 0
            var seen: UInt64 = 0
            while let key = try reader.nextKey(ReceiptKey.self, count: &count, seen: &seen, unknown: .skipped) {
                path.key = key.rawValue
                switch key {
                case .batch: batch = try reader.string()
                case .accepted: accepted = try reader.integer()
                case .duplicates: duplicates = try reader.integer()
                }
                path.key = nil
            }
            try reader.end("receipt")
        } catch {
            throw .syntax("a receipt", offset: error.offset,
                          path: error.member.map { path.appending($0) } ?? path.text, problem: error.problem)
        }
        guard let batch, uuid(batch) != nil else { throw .contract("batch", "expected the batch's UUID") }
        guard let accepted else { throw .contract("accepted", "required (a count)") }
        guard let duplicates else { throw .contract("duplicates", "required (a count)") }
        return BatchReceipt(batch: batch, accepted: Int(try count(accepted, "accepted")),
                            duplicates: Int(try count(duplicates, "duplicates")))
    }

    static func readErrorBody(_ bytes: UnsafeBufferPointer<UInt8>) throws(WireDecodingError) -> WireErrorBody {
        var reader = WireReader(bytes)
        var path = WirePath()
        var message: String?
        do throws(WireReader.Failure) {
            try reader.beginObject()
            var count = 0
            var seen: UInt64 = 0
            while let key = try reader.nextKey(ErrorBodyKey.self, count: &count, seen: &seen, unknown: .skipped) {
                path.key = key.rawValue
                switch key {
                case .error: message = try reader.string()
                }
                path.key = nil
            }
            try reader.end("error body")
        } catch {
            throw .syntax("an error body", offset: error.offset,
                          path: error.member.map { path.appending($0) } ?? path.text, problem: error.problem)
        }
        guard let message else { throw .contract("error", "required (a text)") }
        return WireErrorBody(error: message)
    }
}

import Foundation
import SmileyCore

extension WireDecoder {
    enum BatchKey: String, WireKey {
        case terminal, site, batch, samples
    }

    enum SampleKey: String, WireKey {
        case id, survey, button, buttonName, scale, recordedAt, utcOffsetSeconds, clockSynchronized, misuse
    }

    /// The body is read to its end first (a malformed body is reported as such wherever the fault
    /// is); then the batch's members are checked, then the samples in order.
    static func readBatch(_ bytes: UnsafeBufferPointer<UInt8>) throws(WireDecodingError) -> WireBatch {
        var terminal: String?
        var site: String?
        var batchID: String?
        var sawSamples = false
        var samples: [WireSample] = []
        var sampleCount = 0
        var seenIDs = Set<UUID>()
        var firstProblem: WireDecodingError?
        try readObject(bytes, document: "batch", BatchKey.self, unknown: .refused) { (key, reader, path) throws(WireReader.Failure) in
            switch key {
            case .terminal: terminal = try reader.null() ? nil : reader.string()
            case .site: site = try reader.null() ? nil : reader.string()
            case .batch: batchID = try reader.null() ? nil : reader.string()
            case .samples:
                if try reader.null() { return }
                sawSamples = true
                try reader.beginArray()
                var elements = 0
                while try reader.nextElement(count: &elements) {
                    path.index = sampleCount
                    let checking = sampleCount < WireBatch.maxSamples && firstProblem == nil
                    switch try readSample(&reader, &path, index: sampleCount, checking: checking, seenIDs: &seenIDs) {
                    case .success(let sample): samples.append(sample)
                    case .failure(let problem): firstProblem = problem
                    case nil: break
                    }
                    sampleCount += 1
                    path.index = nil
                }
            }
        }
        let checkedTerminal = try identifier(terminal, "terminal")
        let checkedSite = try identifier(site, "site")
        guard let batchID, let id = uuid(batchID) else {
            throw .contract("batch", "expected the batch's UUID")
        }
        guard sawSamples else { throw .contract("samples", "required (a list)") }
        guard sampleCount > 0, sampleCount <= WireBatch.maxSamples else {
            throw .contract("samples", "\(sampleCount) given; 1 to \(WireBatch.maxSamples) allowed")
        }
        if let firstProblem { throw firstProblem }
        return WireBatch(terminal: checkedTerminal, site: checkedSite, id: id, samples: samples)
    }

    /// One sample: read (a malformed one throws), then, when `checking`, held to the contract —
    /// in the order the collector has always reported problems.
    private static func readSample(_ reader: inout WireReader, _ path: inout WirePath, index: Int, checking: Bool,
                                   seenIDs: inout Set<UUID>) throws(WireReader.Failure) -> Result<WireSample, WireDecodingError>? {
        var id: String?
        var survey: String?
        var button: Int64?
        var buttonName: String?
        var scale: Int64?
        var recordedAt: String?
        var utcOffsetSeconds: Int64?
        var clockSynchronized: Bool?
        var misuse: String??  // nil: absent; .some(nil): null
        try reader.beginObject()
        var count = 0
        var seen: UInt64 = 0
        while let key = try reader.nextKey(SampleKey.self, count: &count, seen: &seen, unknown: .refused) {
            path.member = key.rawValue
            switch key {
            case .id: id = try reader.null() ? nil : reader.string()
            case .survey: survey = try reader.null() ? nil : reader.string()
            case .button: button = try reader.null() ? nil : reader.integer()
            case .buttonName: buttonName = try reader.null() ? nil : reader.string()
            case .scale: scale = try reader.null() ? nil : reader.integer()
            case .recordedAt: recordedAt = try reader.null() ? nil : reader.string()
            case .utcOffsetSeconds: utcOffsetSeconds = try reader.null() ? nil : reader.integer()
            case .clockSynchronized: clockSynchronized = try reader.null() ? nil : reader.bool()
            case .misuse: misuse = .some(try reader.null() ? nil : reader.string())
            }
            path.member = nil
        }
        guard checking else { return nil }
        return Result { () throws(WireDecodingError) -> WireSample in
            func at() -> String { "samples[\(index)]" }
            guard let id, let uuid = uuid(id) else {
                throw .contract("\(at()).id", "expected a UUID")
            }
            guard seenIDs.insert(uuid).inserted else {
                throw .contract("\(at()).id", "\(id) appears twice in the batch")
            }
            let scales = Scale.allowedButtonCounts
            guard let scale, Int64(scales.lowerBound)...Int64(scales.upperBound) ~= scale else {
                throw .contract("\(at()).scale", "expected \(scales.lowerBound) to \(scales.upperBound)")
            }
            guard let button, (0..<scale).contains(button) else {
                throw .contract("\(at()).button", "expected 0 to \(scale - 1) (0 = most negative)")
            }
            guard let recordedAt, let ms = RFC3339.ms(parsing: recordedAt) else {
                throw .contract("\(at()).recordedAt", "expected an RFC 3339 time such as 2026-11-22T09:15:02.123Z")
            }
            let maxOffset = Int64(WireSample.maxUTCOffsetSeconds)
            guard let utcOffsetSeconds, -maxOffset...maxOffset ~= utcOffsetSeconds else {
                throw .contract("\(at()).utcOffsetSeconds", "expected -\(maxOffset) to \(maxOffset)")
            }
            guard let clockSynchronized else {
                throw .contract("\(at()).clockSynchronized", "expected true or false")
            }
            var reason: MisuseReason?
            switch misuse {
            case .some(nil):
                reason = nil
            case .some(let value?) where MisuseReason(rawValue: value) != nil:
                reason = MisuseReason(rawValue: value)
            default:
                throw .contract("\(at()).misuse", "expected null, \"interval\" or \"simultaneous\"")
            }
            return WireSample(id: uuid, survey: try identifier(survey, "\(at()).survey"), button: Int(button),
                              buttonName: try identifier(buttonName, "\(at()).buttonName"), scale: Int(scale),
                              recordedAtMs: ms, utcOffsetSeconds: Int(utcOffsetSeconds), clockSynchronized: clockSynchronized,
                              misuse: reason)
        }
    }
}

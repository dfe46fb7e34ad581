import Foundation
import SmileyCore
import SmileyWire
import SmileyTestSupport
import Testing

/// The decoder against Foundation's JSONSerialization on seeded random batch bodies, some of them
/// damaged by a byte: what JSONSerialization rejects, the decoder rejects; what it accepts, the
/// decoder accepts exactly when the contract allows it, with the same values.
///
/// Within the documented grammar (RFC 8259): JSONSerialization also accepts a trailing comma
/// (`[1,]`, `{"a":1,}`), which the RFC does not allow and the decoder refuses; the bodies drawn
/// here have no byte order mark and no key given twice.
@Suite("Wire decoder against JSONSerialization")
struct JSONSerializationDifferentialTests {
    @Test("seeded random batches, whole and damaged: the decoder agrees with JSONSerialization and the contract")
    func differential() throws {
        var random = SplitMix64(seed: 0x5EED_0009)
        var accepted = 0
        var rejectedByBoth = 0
        var refusedByContract = 0
        for round in 0..<3000 {
            var body = Array(Self.batchText(using: &random).utf8)
            let damaged = Bool.random(using: &random)
            if damaged { Self.damage(&body, using: &random) }
            let foundation = try? JSONSerialization.jsonObject(with: Data(body))
            let ours = Result { () throws(WireDecodingError) in try WireDecoder.batch(from: body) }
            let text = String(decoding: body, as: UTF8.self)
            guard let foundation, !Self.hasTrailingComma(body) else {
                guard case .failure = ours else {
                    Issue.record("round \(round): JSONSerialization rejects (or RFC 8259 forbids) but the decoder accepts: \(text)")
                    continue
                }
                rejectedByBoth += 1
                continue
            }
            switch (Self.contractBatch(foundation), ours) {
            case (let expected?, .success(let batch)):
                #expect(batch == expected, "round \(round): \(text)")
                accepted += 1
            case (nil, .failure):
                refusedByContract += 1
            case (let expected?, .failure(let error)):
                Issue.record("round \(round): valid for the contract (\(expected.samples.count) samples) but refused: \(error.message)\n\(text)")
            case (nil, .success):
                Issue.record("round \(round): the contract does not allow it but the decoder accepts: \(text)")
            }
        }
        // The draw covers all three outcomes in earnest.
        #expect(accepted > 500 && rejectedByBoth > 300 && refusedByContract > 300, "\(accepted) \(rejectedByBoth) \(refusedByContract)")
    }

    // MARK: Drawing bodies

    /// Identifiers drawn from these (no , ] } so that a trailing comma is seen without a parser);
    /// now and then one of `controls`, which the contract does not allow.
    static let alphabet: [Character] = Array("aZ09 -_\"\\/ä€😀:[{")
    static let controls: [Character] = Array("\n\t\u{1}\u{7F}")

    /// Half the bodies are drawn `flawed`: some of their values break the contract now and then.
    static func batchText(using random: inout SplitMix64) -> String {
        let flawed = Bool.random(using: &random)
        var members: [(String, String)] = [
            ("terminal", json(identifier(flawed, using: &random), using: &random)),
            ("site", json(identifier(flawed, using: &random), using: &random)),
            ("batch", json(uuidText(flawed, using: &random), using: &random)),
        ]
        let count = flawed && Int.random(in: 0...20, using: &random) == 0 ? 0 : Int.random(in: 1...4, using: &random)
        var ids: [String] = []
        let samples = (0..<count).map { _ in sampleText(flawed, ids: &ids, using: &random) }
        members.append(("samples", "[" + samples.map { space(&random) + $0 + space(&random) }.joined(separator: ",") + "]"))
        // Now and then a member missing or one more.
        if flawed, Int.random(in: 0..<25, using: &random) == 0 { members.remove(at: Int.random(in: 0..<members.count, using: &random)) }
        if flawed, Int.random(in: 0..<25, using: &random) == 0 { members.append(("extra", "1")) }
        return object(members, using: &random)
    }

    static func sampleText(_ flawed: Bool, ids: inout [String], using random: inout SplitMix64) -> String {
        /// True once in `n` draws of a flawed body.
        func chance(_ n: Int) -> Bool { flawed && Int.random(in: 0..<n, using: &random) == 0 }
        var id = uuidText(flawed, using: &random)
        if !ids.isEmpty, chance(30) { id = ids[0] }
        ids.append(id)
        let scale = chance(20) ? Int.random(in: -1...7, using: &random) : Int.random(in: 2...5, using: &random)
        let button = chance(20) ? Int.random(in: -2...7, using: &random) : Int.random(in: 0..<max(1, scale), using: &random)
        let ms = Int64.random(in: 1_500_000_000_000...2_000_000_000_000, using: &random)
        let recordedAt = chance(30) ? "yesterday" : RFC3339.string(ms: ms)
        let offset = chance(20) ? Int.random(in: -99_999...99_999, using: &random) : Int.random(in: -64_800...64_800, using: &random)
        let misuse = chance(20) ? #""late""# : ["null", #""interval""#, #""simultaneous""#][Int.random(in: 0...2, using: &random)]
        var members: [(String, String)] = [
            ("id", json(id, using: &random)),
            ("survey", json(identifier(flawed, using: &random), using: &random)),
            ("button", "\(button)"),
            ("buttonName", json(identifier(flawed, using: &random), using: &random)),
            ("scale", "\(scale)"),
            ("recordedAt", json(recordedAt, using: &random)),
            ("utcOffsetSeconds", "\(offset)"),
            ("clockSynchronized", Bool.random(using: &random) ? "true" : "false"),
            ("misuse", misuse),
        ]
        if chance(40) { members.remove(at: Int.random(in: 0..<members.count, using: &random)) }
        return object(members, using: &random)
    }

    static func object(_ members: [(String, String)], using random: inout SplitMix64) -> String {
        let shuffled = members.shuffled(using: &random)
        let inner = shuffled.map { key, value in
            space(&random) + json(key, using: &random) + space(&random) + ":" + space(&random) + value + space(&random)
        }
        return "{" + inner.joined(separator: ",") + "}"
    }

    static func space(_ random: inout SplitMix64) -> String {
        ["", "", "", " ", "\n", "\t", "\r\n  "][Int.random(in: 0...6, using: &random)]
    }

    static func identifier(_ flawed: Bool, using random: inout SplitMix64) -> String {
        let length = flawed && Int.random(in: 0..<30, using: &random) == 0 ? [0, 65, 66][Int.random(in: 0...2, using: &random)] : Int.random(in: 1...20, using: &random)
        var text = String((0..<length).map { _ in
            Int.random(in: 0..<8, using: &random) == 0 ? alphabet.randomElement(using: &random)! : "abcdefgh-".randomElement(using: &random)!
        })
        if flawed, Int.random(in: 0..<40, using: &random) == 0 { text.append(controls.randomElement(using: &random)!) }
        return text
    }

    /// An identifier the contract allows, with escapes, quotes and characters beyond ASCII.
    static func validIdentifier(using random: inout SplitMix64) -> String {
        let letters = Array("aZ09 -_\"\\/äé€😀:[{")
        return "x" + String((0..<Int.random(in: 0...40, using: &random)).map { _ in letters.randomElement(using: &random)! })
    }

    static func uuidText(_ flawed: Bool, using random: inout SplitMix64) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
        let id = bytes.withUnsafeMutableBytes { raw in UUID(uuid: raw.load(as: uuid_t.self)) }
        switch Int.random(in: 0..<20, using: &random) {
        case 0 where flawed: return "not-a-uuid"
        case 1, 2, 3: return id.uuidString
        default: return id.uuidString.lowercased()
        }
    }

    /// A JSON string for `text`, escaped in any of the ways RFC 8259 allows.
    static func json(_ text: String, using random: inout SplitMix64) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            let style = Int.random(in: 0..<10, using: &random)
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n" where style < 5: out += "\\n"
            case "\t" where style < 5: out += "\\t"
            case "/" where style < 5: out += "\\/"
            case _ where scalar.value < 0x20 || style == 0:
                for unit in String(scalar).utf16 { out += String(format: "\\u%04x", unit) }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// One byte deleted, inserted or replaced: most such bodies are not JSON any more.
    static func damage(_ body: inout [UInt8], using random: inout SplitMix64) {
        let bytes = Array("{}[],:\"\\0123456789-+.eEtfnul/ \n\u{1}a".utf8) + [0xFF, 0xC3, 0x80]
        let at = Int.random(in: 0..<body.count, using: &random)
        switch Int.random(in: 0...2, using: &random) {
        case 0: body.remove(at: at)
        case 1: body.insert(bytes.randomElement(using: &random)!, at: at)
        default: body[at] = bytes.randomElement(using: &random)!
        }
    }

    /// A comma before a closing bracket or brace (outside strings: identifiers here have none of these).
    static func hasTrailingComma(_ body: [UInt8]) -> Bool {
        var lastSignificant: UInt8 = 0
        for byte in body {
            if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { continue }
            if (byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}")) && lastSignificant == UInt8(ascii: ",") { return true }
            lastSignificant = byte
        }
        return false
    }

    // MARK: The contract, written again over JSONSerialization's objects

    static func contractBatch(_ object: Any) -> WireBatch? {
        guard let root = object as? [String: Any], Set(root.keys) == ["terminal", "site", "batch", "samples"],
              let terminal = identifier(root["terminal"]), let site = identifier(root["site"]),
              let batch = root["batch"] as? String, let id = UUID(uuidString: batch),
              let samples = root["samples"] as? [Any], (1...10_000).contains(samples.count) else { return nil }
        var seen = Set<UUID>()
        var out: [WireSample] = []
        for element in samples {
            guard let sample = element as? [String: Any],
                  Set(sample.keys) == ["id", "survey", "button", "buttonName", "scale", "recordedAt", "utcOffsetSeconds", "clockSynchronized", "misuse"],
                  let text = sample["id"] as? String, let sampleID = UUID(uuidString: text), seen.insert(sampleID).inserted,
                  let survey = identifier(sample["survey"]), let buttonName = identifier(sample["buttonName"]),
                  let scale = integer(sample["scale"]), (2...5).contains(scale),
                  let button = integer(sample["button"]), (0..<scale).contains(button),
                  let recordedAt = sample["recordedAt"] as? String, let ms = RFC3339.ms(parsing: recordedAt),
                  let offset = integer(sample["utcOffsetSeconds"]), (-64_800...64_800).contains(offset),
                  let synchronized = boolean(sample["clockSynchronized"]) else { return nil }
            let misuse: MisuseReason?
            switch sample["misuse"] {
            case is NSNull: misuse = nil
            case let text as String:
                guard let reason = MisuseReason(rawValue: text) else { return nil }
                misuse = reason
            default: return nil
            }
            out.append(WireSample(id: sampleID, survey: survey, button: Int(button), buttonName: buttonName, scale: Int(scale),
                                  recordedAtMs: ms, utcOffsetSeconds: Int(offset), clockSynchronized: synchronized, misuse: misuse))
        }
        return WireBatch(terminal: terminal, site: site, id: id, samples: out)
    }

    /// The schema's Identifier: 1 to 64 characters, not only spaces, no control characters.
    static func identifier(_ value: Any?) -> String? {
        guard let text = value as? String, (1...64).contains(text.count), text.contains(where: { $0 != " " }),
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        return text
    }

    /// A whole number JSONSerialization read as one (not a fraction, an exponent or a boolean).
    static func integer(_ value: Any?) -> Int64? {
        guard let number = value as? NSNumber, !(number is NSDecimalNumber),
              ["i", "q", "l", "s"].contains(String(cString: number.objCType)) else { return nil }
        return number.int64Value
    }

    static func boolean(_ value: Any?) -> Bool? {
        guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else { return nil }
        return number.boolValue
    }
}

@Suite("Wire decoder reads what JSONSerialization writes")
struct JSONSerializationRoundTripTests {
    @Test("the decoder agrees with JSONSerialization on random batches it writes")
    func parserDifferential() throws {
        var generator = SplitMix64(seed: 9)
        let alphabet = Array("aZ09 -_\"\\/\n\tä€😀\u{1}\u{7F}")
        for _ in 0..<200 {
            let text = String((0..<Int.random(in: 1...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let survey = text.unicodeScalars.contains { $0.properties.generalCategory == .control } || text.trimmingCharacters(in: .whitespaces).isEmpty ? "x" + text.filter { !$0.isWhitespace && $0.asciiValue.map { $0 >= 0x20 && $0 != 0x7F } ?? true } : text
            let object: [String: Any] = [
                "terminal": "t", "site": "s", "batch": UUID().uuidString,
                "samples": [[
                    "id": UUID().uuidString, "survey": survey, "button": Int.random(in: 0...3, using: &generator),
                    "buttonName": "b", "scale": 4, "recordedAt": "2026-11-22T09:15:02.123Z",
                    "utcOffsetSeconds": Int.random(in: -50000...50000, using: &generator), "clockSynchronized": Bool.random(using: &generator),
                    "misuse": Bool.random(using: &generator) ? NSNull() : "interval",
                ]],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: Bool.random(using: &generator) ? [.prettyPrinted] : [])
            let batch = try WireDecoder.batch(from: data)
            let expected = ((object["samples"] as? [[String: Any]])?.first)!
            let sample = try #require(batch.samples.first)
            #expect(sample.survey == expected["survey"] as? String)
            #expect(sample.button == expected["button"] as? Int && sample.utcOffsetSeconds == expected["utcOffsetSeconds"] as? Int)
            #expect(sample.clockSynchronized == expected["clockSynchronized"] as? Bool)
            #expect(sample.misuse?.rawValue == expected["misuse"] as? String)
        }
    }

    @Test("round trips: what the encoder writes, the decoder reads back the same, for seeded random values")
    func roundTrips() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let samples = (0..<Int.random(in: 1...5, using: &random)).map { _ in
                let scale = Int.random(in: 2...5, using: &random)
                return WireSample(id: UUID(), survey: JSONSerializationDifferentialTests.validIdentifier(using: &random),
                                  button: Int.random(in: 0..<scale, using: &random),
                                  buttonName: JSONSerializationDifferentialTests.validIdentifier(using: &random), scale: scale,
                                  recordedAtMs: Int64.random(in: 0...4_102_444_800_000, using: &random),
                                  utcOffsetSeconds: Int.random(in: -64_800...64_800, using: &random),
                                  clockSynchronized: Bool.random(using: &random),
                                  misuse: [nil, .interval, .simultaneous][Int.random(in: 0...2, using: &random)])
            }
            let batch = WireBatch(terminal: JSONSerializationDifferentialTests.validIdentifier(using: &random),
                                  site: JSONSerializationDifferentialTests.validIdentifier(using: &random), id: UUID(), samples: samples)
            #expect(try WireDecoder.batch(from: WireEncoder.encode(batch)) == batch)

            let heartbeat = Heartbeat(
                terminal: batch.terminal, site: batch.site, version: "0.1.\(Int.random(in: 0...9, using: &random))",
                sentAt: RFC3339.string(ms: samples[0].recordedAtMs), uptimeSeconds: Int64.random(in: 0...Heartbeat.maxCount, using: &random),
                backlog: Int.random(in: 0...1_000_000, using: &random),
                lastPressAt: Bool.random(using: &random) ? RFC3339.string(ms: samples[0].recordedAtMs) : nil,
                lastSyncAt: Bool.random(using: &random) ? RFC3339.string(ms: samples[0].recordedAtMs) : nil,
                clockSynchronized: Bool.random(using: &random), heldButtons: samples.map(\.buttonName),
                diskFreeBytes: Bool.random(using: &random) ? Int64.random(in: 0...Heartbeat.maxCount, using: &random) : nil,
                lowDisk: Bool.random(using: &random), quarantinedBatches: Int.random(in: 0...9, using: &random),
                quarantinedSamples: Int.random(in: 0...99, using: &random),
                lastError: Bool.random(using: &random) ? "HTTP 400: \"samples[2]\"\n\u{1}" + samples[0].survey : nil)
            #expect(try WireDecoder.heartbeat(from: WireEncoder.encode(heartbeat)) == heartbeat)

            let receipt = BatchReceipt(batch: batch.key, accepted: Int.random(in: 0...10_000, using: &random),
                                       duplicates: Int.random(in: 0...10_000, using: &random))
            #expect(try WireDecoder.receipt(from: WireEncoder.encode(receipt)) == receipt)

            let error = WireErrorBody(error: batch.terminal + "\u{0}\t\\\"" + batch.site)
            #expect(try WireDecoder.errorBody(from: WireEncoder.encode(error)) == error)
        }
    }
}

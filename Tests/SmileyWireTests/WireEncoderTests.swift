import Foundation
import SmileyCore
import SmileyWire
import Testing

@Suite("Wire encoder: the documented JSON, byte for byte; receipts")
struct WireEncoderTests {
    func sample(_ survey: String = "checkout", misuse: MisuseReason? = nil, ms: Int64 = 1_795_338_902_123) -> WireSample {
        WireSample(id: UUID(uuidString: "019A8F2E-1C3B-7D2A-9E4F-3B2A1C0D9E8F")!, survey: survey, button: 3, buttonName: "very-happy",
                   scale: 4, recordedAtMs: ms, utcOffsetSeconds: 7200, clockSynchronized: true, misuse: misuse)
    }

    @Test("a batch encodes to the documented JSON, byte for byte the same every time")
    func encoding() throws {
        let id = UUID(uuidString: "0B5E0F5E-8D3C-4F61-9A55-2F3E1C7D9A10")!
        let one = WireBatch(terminal: "store-12 \"entrance\"", site: "store-12", id: id,
                            samples: [sample(), sample("line\nbreak\u{1}", misuse: .simultaneous)])
        let text = String(decoding: WireEncoder.encode(one), as: UTF8.self)
        #expect(text == #"{"terminal":"store-12 \"entrance\"","site":"store-12","batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","samples":[{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"checkout","button":3,"buttonName":"very-happy","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null},{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"line\nbreak\u0001","button":3,"buttonName":"very-happy","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":"simultaneous"}]}"#)
        #expect(WireEncoder.encode(one) == WireEncoder.encode(one))
        // And it is JSON that any parser reads back.
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect((parsed?["samples"] as? [[String: Any]])?[1]["survey"] as? String == "line\nbreak\u{1}")
    }

    @Test("receipts must name the batch and account for all of its samples")
    func receipts() {
        let id = UUID()
        let key = id.uuidString.lowercased()
        func check(_ text: String) -> Bool {
            if case .success = BatchReceipt.validate(Array(text.utf8), batch: id, sampleCount: 2) { return true }
            return false
        }
        #expect(check(#"{"batch":"\#(key)","accepted":1,"duplicates":1}"#))
        #expect(check(#"{"batch":"\#(key.uppercased())","accepted":2,"duplicates":0}"#))
        #expect(!check(#"{"batch":"\#(key)","accepted":1,"duplicates":0}"#))
        #expect(!check(#"{"batch":"\#(UUID().uuidString)","accepted":2,"duplicates":0}"#))
        #expect(!check("<html>Login to the Wi-Fi</html>"))
        #expect(!check(""))
        // Counts the schema does not allow, and sums that would overflow, are not receipts.
        #expect(!check(#"{"batch":"\#(key)","accepted":-1,"duplicates":3}"#))
        #expect(!check(#"{"batch":"\#(key)","accepted":9223372036854775807,"duplicates":9223372036854775807}"#))
        // A receiver may add members (the schema allows them).
        #expect(check(#"{"batch":"\#(key)","accepted":2,"duplicates":0,"storedAt":{"node":[1,2]}}"#))
        guard case .failure(let problem) = BatchReceipt.validate(Array("<html><body>portal</body></html>".utf8), batch: id, sampleCount: 2) else {
            Issue.record("HTML taken as a receipt")
            return
        }
        #expect(problem.reason == "the answer is not a batch receipt (32 bytes of HTML)")
    }

    @Test("error bodies and receipts are the documented JSON")
    func smallBodies() {
        #expect(String(decoding: WireEncoder.encode(WireErrorBody(error: "use POST for /v1/batches \"now\"")), as: UTF8.self)
                == #"{"error":"use POST for /v1/batches \"now\""}"#)
        #expect(String(decoding: WireEncoder.encode(BatchReceipt(batch: "0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10", accepted: 499, duplicates: 1)), as: UTF8.self)
                == #"{"batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","accepted":499,"duplicates":1}"#)
    }
}

import Foundation
import SmileyCore
import SmileyWire
import Testing

@Suite("Wire decoder: strict, with what, where and what is allowed")
struct WireDecoderTests {
    @Test func batchValidationSaysWhatAndWhere() {
        func problem(_ sample: String) -> String? { batchProblem(batchBody(sample)) }
        let good = exampleSample
        #expect(problem(good) == nil)
        #expect(problem(good.replacingOccurrences(of: #""button":3"#, with: #""button":4"#)) == "samples[0].button: expected 0 to 3 (0 = most negative)")
        #expect(problem(good.replacingOccurrences(of: #""misuse":null"#, with: #""misuse":"late""#))?.contains("samples[0].misuse") == true)
        #expect(problem(good.replacingOccurrences(of: "2026-11-22T09:15:02.123Z", with: "yesterday"))?.contains("samples[0].recordedAt") == true)
        #expect(problem(good + "," + good)?.contains("samples[1].id: 019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f appears twice") == true)
        #expect(problem(good.replacingOccurrences(of: #""scale":4"#, with: #""scale":"4""#))?.contains("samples[0].scale") == true)
        #expect(problem("")?.contains("samples: 0 given") == true)
        // Every member of a sample is required (misuse too: null when the press is not flagged).
        #expect(problem(good.replacingOccurrences(of: #","misuse":null"#, with: "")) == #"samples[0].misuse: expected null, "interval" or "simultaneous""#)
        #expect(problem(good.replacingOccurrences(of: #""id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","#, with: "")) == "samples[0].id: expected a UUID")
        #expect(problem(good.replacingOccurrences(of: #""utcOffsetSeconds":7200"#, with: #""utcOffsetSeconds":64801"#))
                == "samples[0].utcOffsetSeconds: expected -64800 to 64800")
        #expect(problem(good.replacingOccurrences(of: #""survey":"q""#, with: #""survey":"\#(String(repeating: "x", count: 65))""#))
                == "samples[0].survey: expected a text of 1 to 64 characters without control characters")
        #expect(batchProblem(batchBody(good, terminal: #""\u0007""#)) == "terminal: expected a text of 1 to 64 characters without control characters")
        #expect(batchProblem(#"{"terminal":"t","site":"s","batch":"not-a-uuid","samples":[\#(good)]}"#) == "batch: expected the batch's UUID")
        #expect(batchProblem(#"{"terminal":"t","site":"s","batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10"}"#) == "samples: required (a list)")
        let many = Array(repeating: good, count: WireBatch.maxSamples + 1).joined(separator: ",")
        #expect(problem(many) == "samples: 10001 given; 1 to 10000 allowed")
    }

    @Test("the decoder reads any valid JSON for the contract: key order, whitespace, escapes")
    func acceptsJSON() throws {
        let body = #"""
             { "samples" : [ {
              "misuse": null, "scale": 5, "button": 0, "buttonName": "v\u00e4rd\ud83d\ude00", "survey": "a\"b\\c\/d\u0041",
              "id": "019A8F2E-1C3B-7D2A-9E4F-3B2A1C0D9E8F", "recordedAt": "2026-11-22T09:15:02Z",
              "utcOffsetSeconds": -18000, "clockSynchronized": false } ],
              "site": "s", "terminal": "t", "batch": "0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10" }

            """#
        let batch = try WireDecoder.batch(from: Data(body.utf8))
        let sample = try #require(batch.samples.first)
        #expect(batch.terminal == "t" && batch.site == "s" && batch.key == "0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10")
        #expect(sample.buttonName == "värd😀" && sample.survey == "a\"b\\c/dA")
        #expect(sample.scale == 5 && sample.button == 0 && sample.utcOffsetSeconds == -18000 && !sample.clockSynchronized)
        #expect(sample.id.uuidString.lowercased() == "019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f" && sample.misuse == nil)
        // A key written with escapes is the same key.
        let escaped = batchBody(exampleSample.replacingOccurrences(of: #""scale""#, with: #""sc\u0061le""#))
        #expect(batchProblem(escaped) == nil)
    }

    @Test("a member the schema does not name is refused in a batch and in a sample (additionalProperties: false)")
    func unknownMembers() {
        let atRoot = #"{ "extra": {"nested": [1, 2.5e3, "x", null, true]}, "terminal": "t"}"#
        #expect(batchProblem(atRoot) == #"the body is not a batch: at byte 2: extra: not a member here; allowed: terminal, site, batch, samples"#)
        let inSample = batchBody(exampleSample.replacingOccurrences(of: "}", with: #","future":{"a":[]}}"#))
        let message = batchProblem(inSample)
        #expect(message?.contains("samples[0].future: not a member here; allowed: id, survey, button, buttonName, scale, recordedAt, utcOffsetSeconds, clockSynchronized, misuse") == true, "\(message ?? "")")
        #expect(message?.hasPrefix("the body is not a batch: at byte ") == true)
        // A member given twice.
        let twice = batchBody(exampleSample.replacingOccurrences(of: #""button":3"#, with: #""button":3,"button":2"#))
        #expect(batchProblem(twice)?.contains("samples[0].button: given twice") == true)
    }

    @Test(arguments: [
        ("{\"samples\": [}", "expected an object"),
        ("{\"terminal\": \"t\"} x", "unexpected text after the batch"),
        ("{\"terminal\": \"t", "a string is not closed"),
        ("{\"terminal\": 5}", "terminal: expected a string"),
        ("{\"samples\": [{\"button\": 1.5}]}", "samples[0].button: expected a whole number"),
        ("{\"samples\": [{\"button\": 99999999999999999999}]}", "too large"),
        ("{\"terminal\": \"\\ud800\"}", "lone surrogate"),
        ("{\"terminal\": \"\\q\"}", "invalid escape"),
        ("[]", "expected an object"),
        ("", "expected an object"),
        // RFC 8259's numbers: no leading zeros, no bare sign, no plus.
        ("{\"samples\": [{\"button\": 01}]}", "samples[0].button: a number does not start with 0"),
        ("{\"samples\": [{\"button\": -}]}", "samples[0].button: expected a whole number"),
        ("{\"samples\": [{\"button\": +1}]}", "samples[0].button: expected a whole number"),
        ("{\"samples\": [{\"button\": 1e2}]}", "samples[0].button: expected a whole number"),
        ("{\"samples\": [{\"button\": -9223372036854775809}]}", "samples[0].button: the number is too large"),
        ("{\"samples\": [{\"button\": 1,}]}", "samples[0]: expected a key in quotes"),
        ("{\"samples\": [{\"button\": 1} 2]}", "samples: expected , or ] in a list"),
        ("{\"terminal\": \"a\u{1}b\"}", "terminal: a control character inside a string"),
        ("{\"terminal\": tru}", "terminal: expected a string"),
        ("{\"samples\": [{\"clockSynchronized\": tru}]}", "samples[0].clockSynchronized: expected true"),
        ("{terminal: 1}", "expected a key in quotes"),
    ])
    func rejects(body: String, says: String) {
        let message = batchProblem(body)
        #expect(message?.contains(says) == true, "\(message ?? "accepted")")
        #expect(message?.hasPrefix("the body is not a batch: at byte ") == true, "\(message ?? "accepted")")
    }

    @Test("a string that is not UTF-8 is refused")
    func notUTF8() {
        var bytes = Array(#"{"terminal":"ab"}"#.utf8)
        bytes[13] = 0xFF
        #expect(throws: WireDecodingError.self) { try WireDecoder.batch(from: bytes) }
        do {
            _ = try WireDecoder.batch(from: bytes)
        } catch {
            #expect(error.message.contains("terminal: a string that is not UTF-8"))
            #expect(error.offset == 13)
        }
    }

    @Test("deep nesting is refused with a clear error, not a crash: at most WireDecoder.maxDepth levels")
    func deepNesting() {
        let deep = String(repeating: "[", count: 1_000_000)
        // Under a member a batch does not have: refused at the member.
        #expect(batchProblem(#"{"extra":\#(deep)"#)?.contains("extra: not a member here") == true)
        // Under a member that takes a list.
        #expect(batchProblem(#"{"samples":\#(deep)"#)?.contains("samples[0]: expected an object") == true)
        // Under a member a heartbeat does not have: skipped, but only so deep.
        let message = heartbeatProblem(#"{"future":\#(deep)"#)
        #expect(message?.contains("future: objects and lists nest deeper than \(WireDecoder.maxDepth) levels") == true, "\(message ?? "accepted")")
        #expect(message?.hasPrefix("the body is not a heartbeat: at byte ") == true)
        // Exactly at the limit is fine.
        let inner = String(repeating: "[", count: WireDecoder.maxDepth - 1) + String(repeating: "]", count: WireDecoder.maxDepth - 1)
        #expect(heartbeatProblem(#"{"future":\#(inner)}"#) == "the heartbeat lacks terminal, site, version, sentAt, uptimeSeconds, backlog, clockSynchronized, heldButtons, lowDisk, quarantinedBatches, quarantinedSamples")
        let over = String(repeating: "[", count: WireDecoder.maxDepth) + String(repeating: "]", count: WireDecoder.maxDepth)
        #expect(heartbeatProblem(#"{"future":\#(over)}"#)?.contains("nest deeper than") == true)
    }

    static let heartbeat = #"{"terminal":"t","site":"s","version":"0.1.0","sentAt":"2026-11-22T09:15:02.123Z","uptimeSeconds":60,"backlog":0,"lastPressAt":null,"lastSyncAt":"2026-11-22T09:15:00.000Z","clockSynchronized":true,"heldButtons":["happy"],"diskFreeBytes":1073741824,"lowDisk":false,"quarantinedBatches":0,"quarantinedSamples":0,"lastError":null}"#

    @Test("heartbeats: required members named together, members of newer terminals skipped, ranges checked")
    func heartbeats() throws {
        let beat = try WireDecoder.heartbeat(from: Data(Self.heartbeat.utf8))
        #expect(beat.terminal == "t" && beat.heldButtons == ["happy"] && beat.lastPressAt == nil && beat.diskFreeBytes == 1 << 30)
        #expect(heartbeatProblem(#"{"terminal":"t","site":"s"}"#) == "the heartbeat lacks version, sentAt, uptimeSeconds, backlog, clockSynchronized, heldButtons, lowDisk, quarantinedBatches, quarantinedSamples")
        #expect(heartbeatProblem(Self.heartbeat.replacingOccurrences(of: #""version":"0.1.0""#, with: #""version":null"#)) == "the heartbeat lacks version")
        #expect(heartbeatProblem(Self.heartbeat.replacingOccurrences(of: "{", with: #"{"cpuTemperature":{"celsius":[51.5]},"#)) == nil)
        #expect(heartbeatProblem(Self.heartbeat.replacingOccurrences(of: #""backlog":0"#, with: #""backlog":-1"#)) == "backlog: expected 0 to 9007199254740991")
        #expect(heartbeatProblem(Self.heartbeat.replacingOccurrences(of: #""backlog":0"#, with: #""backlog":"none""#))
                == #"the body is not a heartbeat: at byte 110: backlog: expected a whole number"#)
        #expect(heartbeatProblem(Self.heartbeat.replacingOccurrences(of: #""heldButtons":["happy"]"#, with: #""heldButtons":["happy",3]"#))?
                .contains("heldButtons[1]: expected a string") == true)
        #expect(heartbeatProblem(Self.heartbeat.replacingOccurrences(of: "2026-11-22T09:15:02.123Z", with: "now"))
                == "sentAt: expected an RFC 3339 time such as 2026-11-22T09:15:02.123Z")
        #expect(heartbeatProblem(Self.heartbeat.replacingOccurrences(of: #""terminal":"t""#, with: #""terminal":"t","terminal":"u""#))?
                .contains("terminal: given twice") == true)
    }
}

import Foundation
import Testing
@testable import SmileyCollector

final class Folder: Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "smiley-collector-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o644) -> String {
        let target = path + "/" + name
        _ = FileManager.default.createFile(atPath: target, contents: Data(text.utf8))
        chmod(target, mode_t(mode))
        return target
    }
}

@Suite("smiley-collector: configuration, tokens, request validation, storage")
struct CollectorTests {
    @Test func configurationWithDefaultsAndRelativePaths() throws {
        let folder = Folder()
        let path = folder.write("collector.yaml", "database: data/c.sqlite\ntokens-file: tokens\n")
        let config = try CollectorConfiguration.load(path: path)
        #expect(config == CollectorConfiguration(host: "127.0.0.1", port: 8080, database: folder.path + "/data/c.sqlite",
                                                 tokensFile: folder.path + "/tokens"))
    }

    @Test(arguments: [
        ("database: c\ntokens-file: t\nprot: 80\n", "prot: unknown key"),
        ("database: c\ntokens-file: t\nport: 70000\n", "port: \"70000\" is not allowed"),
        ("tokens-file: t\n", "database: required"),
        ("database: c\n", "tokens-file: required"),
        ("database: [a, b]\ntokens-file: t\n", "database: expected a single value"),
        ("- a\n", "expected a mapping"),
    ])
    func configurationErrors(yaml: String, says: String) {
        let folder = Folder()
        let path = folder.write("collector.yaml", yaml)
        #expect {
            _ = try CollectorConfiguration.load(path: path)
        } throws: { error in
            (error as? CollectorConfigError)?.description.contains(says) == true
        }
    }

    @Test func tokensFile() throws {
        let folder = Folder()
        let path = folder.write("tokens", """
            # terminal-id token
            store-1-door  0123456789abcdef0123   # the door
            store-1-till\tfedcba9876543210fedc

            """, mode: 0o600)
        let table = try TokenTable.load(path: path)
        #expect(table.count == 2)
        #expect(table.terminal(forToken: "0123456789abcdef0123") == "store-1-door")
        #expect(table.terminal(forToken: "fedcba9876543210fedc") == "store-1-till")
        #expect(table.terminal(forToken: "0123456789abcdef012") == nil)

        for (text, mode, says) in [
            ("a 0123456789abcdef0123\n", 0o644, "open to its group or others"),
            ("a 0123456789abcdef0123 extra\n", 0o600, ":1: expected `terminal-id token`, got 3 field(s)"),
            ("a short\n", 0o600, "shorter than 16 characters"),
            ("a 0123456789abcdef0123\nb 0123456789abcdef0123\n", 0o600, ":2: this token is already given to another terminal on line 1"),
            ("a 0123456789abcdef0123\na 0123456789abcdef9999\n", 0o600, ":2: terminal a already has a token on line 1"),
            ("# nothing\n", 0o600, "lists no terminal"),
        ] {
            let bad = folder.write("bad", text, mode: mode)
            do {
                _ = try TokenTable.load(path: bad)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(says), "\(error)")
                #expect(!error.description.contains("0123456789abcdef"))
            }
        }
    }

    @Test func batchValidationSaysWhatAndWhere() {
        func problem(_ sample: String) -> String? {
            let body = #"{"terminal":"t","site":"s","batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","samples":[\#(sample)]}"#
            do {
                _ = try BatchDecoder.decode(Data(body.utf8))
                return nil
            } catch {
                return error.message
            }
        }
        let good = #"{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"q","button":3,"buttonName":"b","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null}"#
        #expect(problem(good) == nil)
        #expect(problem(good.replacingOccurrences(of: #""button":3"#, with: #""button":4"#)) == "samples[0].button: expected 0 to 3 (0 = most negative)")
        #expect(problem(good.replacingOccurrences(of: #""misuse":null"#, with: #""misuse":"late""#))?.contains("samples[0].misuse") == true)
        #expect(problem(good.replacingOccurrences(of: "2026-11-22T09:15:02.123Z", with: "yesterday"))?.contains("samples[0].recordedAt") == true)
        #expect(problem(good + "," + good)?.contains("samples[1].id: 019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f appears twice") == true)
        #expect(problem(good.replacingOccurrences(of: #""scale":4"#, with: #""scale":"4""#))?.contains("samples[0].scale") == true)
        #expect(problem("")?.contains("samples: 0 given") == true)
    }

    @Test("the batch parser reads any valid JSON for the contract: key order, whitespace, escapes, unknown keys")
    func parserAcceptsJSON() throws {
        let body = #"""
             { "extra": {"nested": [1, 2.5e3, "x", null, true]}, "samples" : [ {
              "misuse": null, "scale": 5, "button": 0, "buttonName": "v\u00e4rd\ud83d\ude00", "survey": "a\"b\\c\/d\u0041",
              "id": "019A8F2E-1C3B-7D2A-9E4F-3B2A1C0D9E8F", "recordedAt": "2026-11-22T09:15:02Z",
              "utcOffsetSeconds": -18000, "clockSynchronized": false, "future": {"a": []} } ],
              "site": "s", "terminal": "t", "batch": "0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10" }

            """#
        let batch = try BatchDecoder.decode(Data(body.utf8))
        let sample = try #require(batch.samples.first)
        #expect(batch.terminal == "t" && batch.site == "s" && batch.batch == "0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10")
        #expect(sample.buttonName == "värd😀" && sample.survey == "a\"b\\c/dA")
        #expect(sample.scale == 5 && sample.button == 0 && sample.utcOffsetSeconds == -18000 && !sample.clockSynchronized)
        #expect(sample.id == "019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f" && sample.misuse == nil)
    }

    @Test("the batch parser agrees with JSONSerialization on random batches")
    func parserDifferential() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09 -_\"\\/\n\tä€😀\u{1}\u{7F}")
        for _ in 0..<200 {
            let text = String((0..<Int.random(in: 1...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let survey = text.unicodeScalars.contains { $0.properties.generalCategory == .control } || text.trimmingCharacters(in: .whitespaces).isEmpty ? "x" + text.filter { !$0.isWhitespace && $0.asciiValue.map { $0 >= 0x20 } ?? true } : text
            let object: [String: Any] = [
                "terminal": "t", "site": "s", "batch": UUID().uuidString,
                "samples": [[
                    "id": UUID().uuidString, "survey": survey, "button": Int.random(in: 0...3, using: &generator),
                    "buttonName": "b", "scale": 4, "recordedAt": "2026-11-22T09:15:02.123Z",
                    "utcOffsetSeconds": Int.random(in: -50000...50000, using: &generator), "clockSynchronized": Bool.random(),
                    "misuse": Bool.random() ? NSNull() : "interval",
                ]],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: Bool.random() ? [.prettyPrinted] : [])
            let raw = try BatchParser.parse(data)
            let expected = ((object["samples"] as? [[String: Any]])?.first)!
            let sample = try #require(raw.samples?.first)
            #expect(sample.survey == expected["survey"] as? String)
            #expect(sample.button == expected["button"] as? Int && sample.utcOffsetSeconds == expected["utcOffsetSeconds"] as? Int)
            #expect(sample.clockSynchronized == expected["clockSynchronized"] as? Bool)
            #expect((sample.misuse ?? nil) == expected["misuse"] as? String)
        }
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
    ])
    func parserRejects(body: String, says: String) {
        #expect {
            _ = try BatchParser.parse(Data(body.utf8))
        } throws: { error in
            ((error as? BatchParser.Failure)?.message.contains(says) ?? false) && (error as? BatchParser.Failure)?.message.hasPrefix("at byte ") == true
        }
    }

    @Test("storage: a batch and its key commit together; a replay returns the stored answer; ids stored once")
    func storage() async throws {
        let folder = Folder()
        let storage = try SQLiteCollectorStorage(path: folder.path + "/c.sqlite")
        let body = #"{"terminal":"t","site":"s","batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","samples":[{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"q","button":3,"buttonName":"b","scale":4,"recordedAt":"2026-11-22T23:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null}]}"#
        let batch = try BatchDecoder.decode(Data(body.utf8))
        #expect(batch.samples[0].localDay == "2026-11-23")
        let first = try await storage.submit(batch, terminal: "t", key: batch.batch, fingerprint: Data([1]), receivedAtMs: 1)
        let replay = try await storage.submit(batch, terminal: "t", key: batch.batch, fingerprint: Data([1]), receivedAtMs: 2)
        let other = try await storage.submit(batch, terminal: "t", key: batch.batch, fingerprint: Data([2]), receivedAtMs: 3)
        let otherKey = try await storage.submit(batch, terminal: "t", key: "another", fingerprint: Data([1]), receivedAtMs: 4)
        guard case .stored(let result) = first, case .replayed(let again) = replay, case .stored(let dup) = otherKey else {
            Issue.record("\(first) \(replay) \(otherKey)")
            return
        }
        #expect(result == again)
        #expect(String(decoding: result.body, as: UTF8.self) == #"{"batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","accepted":1,"duplicates":0}"#)
        #expect(String(decoding: dup.body, as: UTF8.self).contains(#""accepted":0,"duplicates":1"#))
        #expect(other == .payloadMismatch)
        #expect(try await storage.health() == StorageHealth(samples: 1, batches: 2, terminals: 1))
        // The count survives a restart.
        let reopened = try SQLiteCollectorStorage(path: folder.path + "/c.sqlite")
        #expect(try await reopened.health().samples == 1)
    }
}

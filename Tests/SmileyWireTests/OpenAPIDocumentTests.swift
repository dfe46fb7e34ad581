import Foundation
import SmileyCore
import SmileyWire
import Testing
import Yams

/// api/openapi.yaml and the wire types must say the same thing: member names, required members,
/// whether other members are allowed, ranges, and the examples.
@Suite("The published OpenAPI document matches the wire types")
struct OpenAPIDocumentTests {
    static var document: [String: Any]? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard let text = try? String(contentsOf: root.appendingPathComponent("api/openapi.yaml"), encoding: .utf8) else { return nil }
        return (try? Yams.load(yaml: text)) as? [String: Any]
    }

    static func schema(_ name: String) throws -> [String: Any] {
        let components = try #require(document?["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: Any])
        return try #require(schemas[name] as? [String: Any], "no schema \(name)")
    }

    static func properties(_ schema: [String: Any]) throws -> [String: [String: Any]] {
        try #require(schema["properties"] as? [String: [String: Any]])
    }

    /// A property's schema with `$ref`s to other schemas followed.
    static func resolved(_ property: [String: Any]) throws -> [String: Any] {
        guard let reference = property["$ref"] as? String else { return property }
        return try schema(String(try #require(reference.split(separator: "/").last)))
    }

    static func json(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    static func keys(_ bytes: [UInt8]) throws -> Set<String> {
        Set(try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]).keys)
    }

    // MARK: Documents to vary, one per schema, each valid

    static func validBatch() throws -> [String: Any] {
        try #require(try schema("Batch")["example"] as? [String: Any])
    }

    static var validHeartbeat: [String: Any] { [
        "terminal": "store-12-entrance", "site": "store-12", "version": "0.1.0", "sentAt": "2026-11-22T09:15:02.123Z",
        "uptimeSeconds": 3600, "backlog": 0, "lastPressAt": "2026-11-22T09:15:00.000Z", "lastSyncAt": NSNull(),
        "clockSynchronized": true, "heldButtons": ["happy"], "diskFreeBytes": 1_073_741_824, "lowDisk": false,
        "quarantinedBatches": 0, "quarantinedSamples": 0, "lastError": NSNull(),
    ] }

    static let batchID = UUID(uuidString: "0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10")!

    static var validReceipt: [String: Any] { ["batch": batchID.uuidString.lowercased(), "accepted": 1, "duplicates": 0] }

    /// Whether the decoder for `schema` accepts `object`; the message when not.
    static func decode(_ schema: String, _ object: Any) throws -> String? {
        let data = try json(object)
        do {
            switch schema {
            case "Batch", "Sample": _ = try WireDecoder.batch(from: data)
            case "Heartbeat": _ = try WireDecoder.heartbeat(from: data)
            case "Receipt": _ = try WireDecoder.receipt(from: data)
            case "Error": _ = try WireDecoder.errorBody(from: data)
            default: Issue.record("no decoder for \(schema)")
            }
            return nil
        } catch {
            return error.message
        }
    }

    /// A valid document of `schema` with `change` applied to the object the schema describes
    /// (for Sample: the batch's first sample).
    static func varied(_ schema: String, _ change: (inout [String: Any]) -> Void) throws -> Any {
        switch schema {
        case "Sample":
            var batch = try validBatch()
            var samples = try #require(batch["samples"] as? [[String: Any]])
            change(&samples[0])
            batch["samples"] = samples
            return batch
        case "Batch":
            var batch = try validBatch()
            change(&batch)
            return batch
        case "Heartbeat":
            var heartbeat = validHeartbeat
            change(&heartbeat)
            return heartbeat
        case "Receipt":
            var receipt = validReceipt
            change(&receipt)
            return receipt
        default:
            var body: [String: Any] = ["error": "what is wrong"]
            change(&body)
            return body
        }
    }

    // MARK: Tests

    @Test("the document lists the collector's paths")
    func paths() throws {
        let paths = try #require(Self.document?["paths"] as? [String: Any])
        #expect(Set(paths.keys) == ["/v1/batches", "/v1/heartbeat", "/v1/summary", "/v1/terminals", "/v1/fleet/summary",
                                    "/v1/fleet/buckets", "/v1/fleet/ranking", "/v1/fleet/terminals", "/health"])
    }

    @Test("the encoder writes exactly the documented members of each body")
    func encodedMembers() throws {
        let sample = WireSample(id: UUID(), survey: "q", button: 1, buttonName: "b", scale: 4, recordedAtMs: 0, utcOffsetSeconds: 0,
                                clockSynchronized: true, misuse: nil)
        let batch = WireEncoder.encode(WireBatch(terminal: "t", site: "s", id: UUID(), samples: [sample]))
        #expect(try Self.keys(batch) == Set(try Self.properties(try Self.schema("Batch")).keys))
        let first = try #require((try JSONSerialization.jsonObject(with: Data(batch)) as? [String: Any])?["samples"] as? [[String: Any]])
        #expect(Set(try #require(first.first).keys) == Set(try Self.properties(try Self.schema("Sample")).keys))
        let heartbeat = Heartbeat(terminal: "t", site: "s", version: "1", sentAt: "x", uptimeSeconds: 1, backlog: 0, lastPressAt: "x",
                                  lastSyncAt: "x", clockSynchronized: true, heldButtons: [], diskFreeBytes: 1, lowDisk: false,
                                  quarantinedBatches: 0, quarantinedSamples: 0, lastError: "x")
        let documented = try Self.schema("Heartbeat")
        #expect(try Self.keys(WireEncoder.encode(heartbeat)) == Set(try Self.properties(documented).keys))
        // Codable (the collector's storage and `GET /v1/terminals`) names the same members.
        let encoded = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(heartbeat)) as? [String: Any])
        #expect(Set(encoded.keys) == Set(try Self.properties(documented).keys))
        #expect(Set(try #require(documented["required"] as? [String])).isSubset(of: Set(encoded.keys)))
        #expect(try Self.keys(WireEncoder.encode(BatchReceipt(batch: "b", accepted: 1, duplicates: 0)))
                == Set(try Self.properties(try Self.schema("Receipt")).keys))
        #expect(try Self.keys(WireEncoder.encode(WireErrorBody(error: "x"))) == Set(try Self.properties(try Self.schema("Error")).keys))
        #expect(WireDecoder.heartbeatRequired == (documented["required"] as? [String]))
    }

    @Test("the examples decode to the documented values and encode back to the same JSON")
    func examples() throws {
        let example = try Self.validBatch()
        let batch = try WireDecoder.batch(from: try Self.json(example))
        #expect(batch.terminal == "store-12-entrance" && batch.key == example["batch"] as? String)
        let reencoded = try JSONSerialization.jsonObject(with: Data(WireEncoder.encode(batch)))
        #expect(try Self.json(reencoded) == (try Self.json(example)))
        let receiptExample = try #require(try Self.schema("Receipt")["example"] as? [String: Any])
        let receipt = try WireDecoder.receipt(from: try Self.json(receiptExample))
        #expect(receipt == BatchReceipt(batch: "0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10", accepted: 499, duplicates: 1))
        if let heartbeatExample = try Self.schema("Heartbeat")["example"] as? [String: Any] {
            let heartbeat = try WireDecoder.heartbeat(from: try Self.json(heartbeatExample))
            let back = try JSONSerialization.jsonObject(with: Data(WireEncoder.encode(heartbeat)))
            #expect(try Self.json(back) == (try Self.json(heartbeatExample)))
        } else {
            Issue.record("the Heartbeat schema has no example")
        }
    }

    @Test("required members are required, the others optional; other members refused exactly where additionalProperties is false",
          arguments: ["Batch", "Sample", "Heartbeat", "Receipt", "Error"])
    func requiredAndAdditional(schemaName: String) throws {
        let schema = try Self.schema(schemaName)
        let required = Set(schema["required"] as? [String] ?? [])
        #expect(try Self.decode(schemaName, try Self.varied(schemaName) { _ in }) == nil)
        for name in try Self.properties(schema).keys {
            let problem = try Self.decode(schemaName, try Self.varied(schemaName) { $0[name] = nil })
            if required.contains(name) {
                #expect(problem?.contains(name) == true, "\(schemaName).\(name) is required: \(problem ?? "accepted")")
            } else {
                #expect(problem == nil, "\(schemaName).\(name) is optional: \(problem ?? "")")
            }
        }
        let closed = schema["additionalProperties"] as? Bool == false
        let problem = try Self.decode(schemaName, try Self.varied(schemaName) { $0["addedLater"] = 1 })
        if closed {
            #expect(problem?.contains("addedLater: not a member here") == true, "\(schemaName): \(problem ?? "accepted")")
        } else {
            #expect(problem == nil, "\(schemaName) allows other members: \(problem ?? "")")
        }
    }

    @Test("integer ranges: the documented minimum and maximum are accepted, one beyond is not",
          arguments: ["Sample", "Heartbeat", "Receipt"])
    func integerRanges(schemaName: String) throws {
        var checked = 0
        for (name, property) in try Self.properties(try Self.schema(schemaName)) {
            let types = property["type"] as? [String] ?? [property["type"] as? String].compactMap { $0 }
            guard types.contains("integer") else { continue }
            let minimum = try #require(property["minimum"] as? Int, "\(schemaName).\(name) documents no minimum")
            let maximum = try #require(property["maximum"] as? Int, "\(schemaName).\(name) documents no maximum")
            // A button is checked against a scale of 5, a scale with button 0.
            func set(_ value: Int) -> (inout [String: Any]) -> Void {
                { object in
                    object[name] = value
                    if name == "button" { object["scale"] = 5 }
                    if name == "scale" { object["button"] = 0 }
                }
            }
            #expect(try Self.decode(schemaName, try Self.varied(schemaName, set(minimum))) == nil, "\(schemaName).\(name) = \(minimum)")
            #expect(try Self.decode(schemaName, try Self.varied(schemaName, set(maximum))) == nil, "\(schemaName).\(name) = \(maximum)")
            let below = try Self.decode(schemaName, try Self.varied(schemaName, set(minimum - 1)))
            let above = try Self.decode(schemaName, try Self.varied(schemaName, set(maximum + 1)))
            #expect(below?.contains(name) == true, "\(schemaName).\(name) = \(minimum - 1): \(below ?? "accepted")")
            #expect(above?.contains(name) == true, "\(schemaName).\(name) = \(maximum + 1): \(above ?? "accepted")")
            checked += 1
        }
        #expect(checked > 0)
    }

    @Test("identifiers, enums, formats and list sizes are held as documented")
    func otherRules() throws {
        let identifier = try Self.schema("Identifier")
        let longest = try #require(identifier["maxLength"] as? Int)
        #expect(identifier["minLength"] as? Int == 1)
        #expect(longest == WireDecoder.maxIdentifierLength)
        for (schemaName, name) in [("Batch", "terminal"), ("Batch", "site"), ("Sample", "survey"), ("Sample", "buttonName"),
                                   ("Heartbeat", "terminal"), ("Heartbeat", "site")] {
            #expect(try Self.properties(try Self.schema(schemaName))[name]?["$ref"] as? String == "#/components/schemas/Identifier")
            #expect(try Self.decode(schemaName, try Self.varied(schemaName) { $0[name] = String(repeating: "é", count: longest) }) == nil)
            #expect(try Self.decode(schemaName, try Self.varied(schemaName) { $0[name] = String(repeating: "x", count: longest + 1) })?.contains(name) == true)
            #expect(try Self.decode(schemaName, try Self.varied(schemaName) { $0[name] = "" })?.contains(name) == true)
        }
        // misuse: null or one of the documented reasons.
        let misuse = try #require(try Self.properties(try Self.schema("Sample"))["misuse"]?["oneOf"] as? [[String: Any]])
        let reasons = try #require(misuse.compactMap { $0["enum"] as? [String] }.first)
        #expect(Set(reasons) == Set(MisuseReason.allCases.map(\.rawValue)))
        for reason in reasons {
            #expect(try Self.decode("Sample", try Self.varied("Sample") { $0["misuse"] = reason }) == nil)
        }
        #expect(try Self.decode("Sample", try Self.varied("Sample") { $0["misuse"] = "late" })?.contains("misuse") == true)
        // format: uuid and date-time.
        #expect(try Self.decode("Sample", try Self.varied("Sample") { $0["id"] = "019a8f2e" })?.contains("id") == true)
        #expect(try Self.decode("Batch", try Self.varied("Batch") { $0["batch"] = "batch-1" })?.contains("batch") == true)
        #expect(try Self.decode("Sample", try Self.varied("Sample") { $0["recordedAt"] = "22.11.2026" })?.contains("recordedAt") == true)
        for name in ["sentAt", "lastPressAt", "lastSyncAt"] {
            #expect(try Self.decode("Heartbeat", try Self.varied("Heartbeat") { $0[name] = "soon" })?.contains(name) == true)
        }
        // samples: minItems and maxItems.
        let samples = try #require(try Self.properties(try Self.schema("Batch"))["samples"])
        #expect(samples["minItems"] as? Int == 1 && samples["maxItems"] as? Int == WireBatch.maxSamples)
        #expect(try Self.decode("Batch", try Self.varied("Batch") { $0["samples"] = [Any]() })?.contains("samples") == true)
        // Nullable members take null; the others do not.
        for (name, property) in try Self.properties(try Self.schema("Heartbeat")) {
            let nullable = (property["type"] as? [String])?.contains("null") == true
            let problem = try Self.decode("Heartbeat", try Self.varied("Heartbeat") { $0[name] = NSNull() })
            #expect((problem == nil) == nullable, "Heartbeat.\(name) = null: \(problem ?? "accepted")")
        }
        #expect(try Self.resolved(try #require(try Self.properties(try Self.schema("Batch"))["terminal"]))["maxLength"] as? Int == longest)
    }
}

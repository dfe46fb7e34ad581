import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import Yams
@testable import SmileyStore
@testable import SmileySync

/// api/openapi.yaml and the code must say the same thing.
@Suite("The published OpenAPI document matches the code")
struct OpenAPIDocumentTests {
    static var document: [String: Any]? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard let text = try? String(contentsOf: root.appendingPathComponent("api/openapi.yaml"), encoding: .utf8) else { return nil }
        return (try? Yams.load(yaml: text)) as? [String: Any]
    }

    func schema(_ name: String) throws -> [String: Any] {
        let components = try #require(Self.document?["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: Any])
        return try #require(schemas[name] as? [String: Any])
    }

    @Test("the document lists the collector's paths")
    func paths() throws {
        let paths = try #require(Self.document?["paths"] as? [String: Any])
        #expect(Set(paths.keys) == ["/v1/batches", "/v1/heartbeat", "/v1/summary", "/v1/terminals", "/health"])
    }

    @Test("the client sends exactly the documented fields, and the documented example is accepted by the collector")
    func batchFields() async throws {
        let sample = try schema("Sample")
        let batchSchema = try schema("Batch")
        let folder = TemporaryFolder()
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(1)
        let batch = try #require(try await terminal.store.nextBatch(BatchSelection(limit: 1), nowMs: wallNow()))
        let sent = try #require(try JSONSerialization.jsonObject(with: Data(WireFormat.encode(batch).readableBytesView)) as? [String: Any])
        #expect(Set(sent.keys) == Set(try #require(batchSchema["required"] as? [String])))
        let first = try #require((sent["samples"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == Set(try #require(sample["required"] as? [String])))
        #expect(Set(first.keys) == Set(try #require(sample["properties"] as? [String: Any]).keys))

        // The example, posted as documented, gets a documented receipt.
        let example = try #require(batchSchema["example"] as? [String: Any])
        let collector = try await CollectorFixture.start(folder: folder, terminals: ["store-12-entrance"])
        defer { Task { await collector.stop() } }
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        defer { Task { try? await http.shutdown() } }
        var request = HTTPClientRequest(url: collector.url + "/v1/batches")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(collector.tokens["store-12-entrance"] ?? "")")
        request.headers.add(name: "Idempotency-Key", value: example["batch"] as? String ?? "")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: example)))
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status.code == 200)
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
        #expect(Set(receipt.keys) == Set(try #require(try schema("Receipt")["required"] as? [String])))
        #expect(receipt["accepted"] as? Int == 1)
    }

    @Test("the heartbeat the daemon sends has the documented fields")
    func heartbeatFields() throws {
        let heartbeat = Heartbeat(terminal: "t", site: "s", version: "1", sentAt: "x", uptimeSeconds: 1, backlog: 0, lastPressAt: "x",
                                  lastSyncAt: "x", clockSynchronized: true, heldButtons: [], diskFreeBytes: 1, lowDisk: false,
                                  quarantinedBatches: 0, quarantinedSamples: 0, lastError: "x")
        let encoded = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(heartbeat)) as? [String: Any])
        let documented = try schema("Heartbeat")
        #expect(Set(encoded.keys) == Set(try #require(documented["properties"] as? [String: Any]).keys))
        #expect(Set(try #require(documented["required"] as? [String])).isSubset(of: Set(encoded.keys)))
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SmileyWire
import Testing
@testable import SmileyCollector

/// The storage contract (``CollectorStorage``) over the HTTP API, the same bodies on SQLite and on
/// a real PostgreSQL server.
@Suite("smiley-collector storage contract: SQLite and PostgreSQL", .postgresServer, .timeLimit(.minutes(3)))
struct StorageContractTests {
    typealias API = ContractAPI

    @Test("a batch is stored once; the same key replays the stored answer; the same key with another payload is refused",
          arguments: StorageBackend.allCases)
    func submitReplayConflict(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let key = API.id()
            let samples = [API.sample(API.id(), button: 3), API.sample(API.id(), button: 0)]
            try await API.run(harness.storage) { client in
                let first = try await API.post(client, "t", key: key, samples)
                #expect(first.0 == .ok)
                #expect(first.1 == #"{"batch":"\#(key)","accepted":2,"duplicates":0}"#)
                #expect(!first.2)

                let replay = try await API.post(client, "t", key: key, samples)
                #expect(replay.0 == .ok)
                #expect(replay.1 == first.1)
                #expect(replay.2)

                let other = try await API.post(client, "t", key: key, [samples[0]])
                #expect(other.0 == .unprocessableContent)
                #expect(try WireDecoder.errorBody(from: Array(other.1.utf8)).error
                        == "Idempotency-Key \(key) was used before with a different payload")

                // The same samples under a new key: duplicates, nothing stored twice.
                let again = API.id()
                let second = try await API.post(client, "t", key: again, samples)
                #expect(second.0 == .ok)
                #expect(second.1 == #"{"batch":"\#(again)","accepted":0,"duplicates":2}"#)

                let health = try await API.get(client, "/health", as: nil)
                #expect(health.0 == .ok)
                #expect(health.1 == #"{"status":"ok","samples":2,"batches":2,"terminals":1}"#)
            }
            #expect(try await harness.samples().count == 2)
        }
    }

    @Test("a sample is unique per terminal: another terminal's sample with the same id is stored as its own, never merged",
          arguments: StorageBackend.allCases)
    func duplicatesAcrossTerminals(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let shared = API.id()
            try await API.run(harness.storage) { client in
                // u sends t's (future) sample id first…
                let early = API.id()
                let byU = try await API.post(client, "u", site: "s-u", key: early, [API.sample(shared, button: 0)])
                #expect(byU.1 == #"{"batch":"\#(early)","accepted":1,"duplicates":0}"#)
                // … t's own sample with that id is still stored, not taken for a duplicate.
                let own = API.id()
                let byT = try await API.post(client, "t", key: own, [API.sample(shared, button: 3)])
                #expect(byT.1 == #"{"batch":"\#(own)","accepted":1,"duplicates":0}"#)
                // t sending it again is a duplicate.
                let retry = API.id()
                let again = try await API.post(client, "t", key: retry, [API.sample(shared, button: 3)])
                #expect(again.1 == #"{"batch":"\#(retry)","accepted":0,"duplicates":1}"#)

                let health = try await API.get(client, "/health", as: nil)
                #expect(health.1 == #"{"status":"ok","samples":2,"batches":3,"terminals":2}"#)
            }
            let stored = try await harness.samples()
            #expect(stored.count == 2)
            #expect(Set(stored.map { "\($0.terminal) \($0.site) \($0.id) \($0.button)" })
                    == ["u s-u \(shared.uppercased()) 0", "t s \(shared.uppercased()) 3"])
        }
    }

    @Test("heartbeats are kept per terminal, the last one wins; terminals lists batches and heartbeats",
          arguments: StorageBackend.allCases)
    func heartbeatsAndTerminals(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let first = Heartbeat(terminal: "t", site: "s", version: "0.1.0", sentAt: "2026-11-22T09:15:02.123Z", uptimeSeconds: 1,
                                 backlog: 0, lastPressAt: nil, lastSyncAt: nil, clockSynchronized: true, heldButtons: [],
                                 diskFreeBytes: nil, lowDisk: false, quarantinedBatches: 0, quarantinedSamples: 0, lastError: nil)
            var last = first
            last.uptimeSeconds = 60
            try await API.run(harness.storage) { [last] client in
                for beat in [first, last] {
                    try await client.execute(uri: "/v1/heartbeat", method: .post, headers: API.headers("t"),
                                             body: ByteBuffer(bytes: WireEncoder.encode(beat))) { response in
                        #expect(response.status == .noContent)
                    }
                }
                let key = API.id()
                #expect(try await API.post(client, "u", key: key, [API.sample(API.id())]).0 == .ok)

                let (status, body) = try await API.get(client, "/v1/terminals")
                #expect(status == .ok)
                let terminals = try JSONDecoder().decode([TerminalInfo].self, from: Data(body.utf8))
                let at = "2026-11-22T09:20:00.000Z"
                #expect(terminals == [
                    TerminalInfo(terminal: "t", samples: 0, lastBatchAt: nil, lastHeartbeatAt: at, heartbeat: last),
                    TerminalInfo(terminal: "u", samples: 1, lastBatchAt: at, lastHeartbeatAt: nil, heartbeat: nil),
                ])
                // Only terminals that sent batches count in /health.
                #expect(try await API.get(client, "/health", as: nil).1 == #"{"status":"ok","samples":1,"batches":1,"terminals":1}"#)
            }
        }
    }

    @Test("a site's day across terminals: its own samples only, misuse apart unless asked for",
          arguments: StorageBackend.allCases)
    func summary(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await API.run(harness.storage) { client in
                #expect(try await API.post(client, "t", key: API.id(), [
                    API.sample(API.id(), button: 3, name: "very-happy"),
                    API.sample(API.id(), button: 3, name: "very-happy"),
                    API.sample(API.id(), button: 0, name: "very-unhappy"),
                    API.sample(API.id(), button: 1, name: "unhappy", misuse: "interval"),
                    // The next local day (23:30Z + 2 h) and another survey: not in q's 2026-11-22.
                    API.sample(API.id(), button: 2, at: "2026-11-22T23:30:00.000Z"),
                    API.sample(API.id(), survey: "r", button: 2),
                ]).0 == .ok)
                #expect(try await API.post(client, "u", key: API.id(), [API.sample(API.id(), button: 2, name: "happy")]).0 == .ok)
                // Another site's sample on the same day (another terminal: u belongs to site s now).
                #expect(try await API.post(client, "v", site: "elsewhere", key: API.id(), [API.sample(API.id(), button: 0)]).0 == .ok)

                let (status, body) = try await API.get(client, "/v1/summary?site=s&day=2026-11-22")
                #expect(status == .ok)
                let summary = try JSONDecoder().decode(SiteDaySummary.self, from: Data(body.utf8))
                #expect(summary.terminals == ["t", "u"])
                #expect(summary.surveys.map(\.survey) == ["q", "r"])
                let q = try #require(summary.surveys.first)
                #expect(q.buttons.map(\.count) == [1, 0, 1, 2])
                #expect(q.buttons.map(\.name) == ["very-unhappy", "unhappy", "happy", "very-happy"])
                #expect(q.accepted == 4 && q.counted == 4)
                #expect(q.misuse == ["interval": 1, "simultaneous": 0])

                let withMisuse = try await API.get(client, "/v1/summary?site=s&day=2026-11-22&includeMisuse=true")
                let all = try JSONDecoder().decode(SiteDaySummary.self, from: Data(withMisuse.1.utf8))
                #expect(all.surveys.first?.buttons.map(\.count) == [1, 1, 1, 2])

                let nextDay = try JSONDecoder().decode(SiteDaySummary.self,
                                                       from: Data(try await API.get(client, "/v1/summary?site=s&day=2026-11-23").1.utf8))
                #expect(nextDay.terminals == ["t"])
                #expect(nextDay.surveys.first?.buttons.map(\.count) == [0, 0, 1, 0])
            }
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SmileyWire
import Testing
@testable import SmileyCollector

/// The fleet's read API over HTTP (#10 item 7), the same bodies on SQLite and PostgreSQL, with
/// AccessHTTPTests' organisation: sites a and b in region south, n in north (Europe/Helsinki,
/// open mon-sat 08:00-20:00); terminals ta (site a), tn (site n); viewers of site a and of region
/// north; an admin. The clock is pinned to Sunday 2026-11-22 09:20Z: every site is closed.
@Suite("smiley-collector: the fleet's read API", .postgresServer, .timeLimit(.minutes(3)))
struct FleetReadHTTPTests {
    typealias API = ContractAPI

    /// ta: buttons 3, 3, 0 at site a; tn: button 3 at site n; all on 2026-11-22, local 11:15 (+02:00).
    static func post(_ client: any TestClientProtocol) async throws {
        for (who, site, buttons) in [("ta", "a", [3, 3, 0]), ("tn", "n", [3])] {
            let key = API.id()
            let status = try await client.execute(uri: "/v1/batches", method: .post, headers: AccessHTTPTests.headers(who, key: key),
                                                  body: API.batch(who, site: site, key: key,
                                                                  buttons.map { API.sample(API.id(), button: $0) })) { $0.status }
            #expect(status == .ok)
        }
    }

    static func json<T: Decodable>(_ client: any TestClientProtocol, _ uri: String, as who: String = "admin",
                                   _ type: T.Type) async throws -> T {
        let (status, body) = try await AccessHTTPTests.get(client, uri, as: who)
        #expect(status == .ok, "\(uri): \(body)")
        return try JSONDecoder().decode(T.self, from: Data(body.utf8))
    }

    static func counted(_ answer: FleetSummaryAnswer) -> [Int] { answer.surveys.map(\.counted) }

    @Test("summaries of a site, a region and the fleet, each as the credential may read", arguments: StorageBackend.allCases)
    func summaries(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await AccessHTTPTests.organise(harness.storage)
            try await AccessHTTPTests.run(harness.storage, logs: RecordedLogs()) { client in
                try await Self.post(client)
                let day = "day=2026-11-22&minSamples=1"
                let fleet = try await Self.json(client, "/v1/fleet/summary?\(day)", FleetSummaryAnswer.self)
                #expect(Self.counted(fleet) == [4])
                #expect(fleet.scope == FleetScopeDescription(kind: "fleet", region: nil, sites: nil))
                #expect([fleet.period.kind, fleet.period.label, fleet.period.from, fleet.period.to] == ["day", "2026-11-22", "2026-11-22", "2026-11-22"])
                let a = try await Self.json(client, "/v1/fleet/summary?site=a&\(day)", FleetSummaryAnswer.self)
                #expect(Self.counted(a) == [3])
                #expect(a.surveys.first?.buttons.map(\.count) == [1, 0, 0, 2])
                #expect(a.surveys.first?.satisfactionIndex == 66.7)
                let south = try await Self.json(client, "/v1/fleet/summary?region=south&week=2026-W47&minSamples=1",
                                                FleetSummaryAnswer.self)
                #expect(Self.counted(south) == [3])
                #expect(south.scope == FleetScopeDescription(kind: "region", region: "south", sites: ["a", "b"]))
                // The default minimum (10) hides the index of 3 samples, not the counts.
                let fewer = try await Self.json(client, "/v1/fleet/summary?site=a&day=2026-11-22", FleetSummaryAnswer.self)
                #expect(fewer.surveys.first?.satisfactionIndex == nil && Self.counted(fewer) == [3])
                // A month without the day: nothing.
                #expect(Self.counted(try await Self.json(client, "/v1/fleet/summary?month=2026-10", FleetSummaryAnswer.self)) == [])

                // A viewer's fleet is its sites; beyond them 403.
                let viewer = try await Self.json(client, "/v1/fleet/summary?\(day)", as: "viewer-a", FleetSummaryAnswer.self)
                #expect(Self.counted(viewer) == [3] && viewer.scope.sites == ["a"])
                let north = try await Self.json(client, "/v1/fleet/summary?\(day)", as: "viewer-north", FleetSummaryAnswer.self)
                #expect(Self.counted(north) == [1] && north.scope.sites == ["n"])
                for (uri, who) in [("/v1/fleet/summary?site=n&\(day)", "viewer-a"), ("/v1/fleet/summary?region=south&\(day)", "viewer-a"),
                                   ("/v1/fleet/summary?site=a&site=n&\(day)", "viewer-north"),
                                   ("/v1/fleet/buckets?site=n&\(day)", "viewer-a"), ("/v1/fleet/ranking?region=north&\(day)", "viewer-a"),
                                   ("/v1/fleet/terminals?site=n", "viewer-a"), ("/v1/fleet/summary?site=a&\(day)", "ta"),
                                   ("/v1/fleet/terminals", "ta"), ("/v1/fleet/ranking?\(day)", "legacy")] {
                    #expect(try await AccessHTTPTests.get(client, uri, as: who).0 == .forbidden, "\(who) \(uri)")
                }
                #expect(try await AccessHTTPTests.get(client, "/v1/fleet/summary?\(day)", as: "nobody").0 == .unauthorized)
            }
        }
    }

    @Test("CSV by format= or Accept; time patterns by hour and weekday × hour", arguments: StorageBackend.allCases)
    func csvAndBuckets(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await AccessHTTPTests.organise(harness.storage)
            try await AccessHTTPTests.run(harness.storage, logs: RecordedLogs()) { client in
                try await Self.post(client)
                let csv = try await client.execute(uri: "/v1/fleet/summary?site=a&day=2026-11-22&minSamples=1&format=csv", method: .get,
                                                   headers: AccessHTTPTests.headers("admin")) { response in
                    (response.headers[.contentType], String(buffer: response.body))
                }
                #expect(csv.0 == "text/csv; charset=utf-8")
                // Buttons no sample named yet are called button-N; every misuse reason has its line.
                #expect(csv.1 == """
                    kind,survey,scale,button,name,count,share,counted,satisfaction_index,top2_share,net_score
                    button,q,4,0,b0,1,33.3,3,66.7,66.7,33.3
                    button,q,4,1,button-1,0,0.0,3,66.7,66.7,33.3
                    button,q,4,2,button-2,0,0.0,3,66.7,66.7,33.3
                    button,q,4,3,b3,2,66.7,3,66.7,66.7,33.3
                    misuse,q,4,,interval,0,,3,66.7,66.7,33.3
                    misuse,q,4,,simultaneous,0,,3,66.7,66.7,33.3

                    """)
                var accept = AccessHTTPTests.headers("admin")
                accept[.accept] = "text/csv"
                let byAccept = try await client.execute(uri: "/v1/fleet/ranking?day=2026-11-22&minSamples=1", method: .get,
                                                        headers: accept) { String(buffer: $0.body) }
                #expect(byAccept == "rank,site,region,samples,satisfaction_index\n1,n,north,1,100.0\n2,a,south,3,66.7\n")

                let hours = try await Self.json(client, "/v1/fleet/buckets?site=a&day=2026-11-22&minSamples=1", FleetBucketsAnswer.self)
                #expect(hours.buckets.count == 24)
                #expect(hours.buckets.filter { $0.figures.counted > 0 }.map { "\($0.hour) \($0.figures.counted)" } == ["11 3"])
                let week = try await Self.json(client, "/v1/fleet/buckets?by=weekday-hour&week=2026-W47", FleetBucketsAnswer.self)
                #expect(week.buckets.count == 7 * 24)
                // 2026-11-22 is a Sunday (ISO weekday 7).
                #expect(week.buckets.filter { $0.figures.counted > 0 }.map { "\($0.weekday ?? 0) \($0.hour) \($0.figures.counted)" } == ["7 11 4"])
            }
        }
    }

    @Test("the ranking and the terminals page by cursor, with Link: rel=next; terminals carry their health",
          arguments: StorageBackend.allCases)
    func pagingAndHealth(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await AccessHTTPTests.organise(harness.storage)
            try await AccessHTTPTests.run(harness.storage, logs: RecordedLogs()) { client in
                try await Self.post(client)
                #expect(try await AccessHTTPTests.beat(client, as: "ta", site: "a").0 == .noContent)
                // tn's last heartbeat two hours ago: offline, but its store is closed on Sunday.
                let old = Heartbeat(terminal: "tn", site: "n", version: "0.1.0", sentAt: "2026-11-22T07:20:00.000Z", uptimeSeconds: 1,
                                    backlog: 7, lastPressAt: nil, lastSyncAt: nil, clockSynchronized: true, heldButtons: [],
                                    diskFreeBytes: nil, lowDisk: false, quarantinedBatches: 0, quarantinedSamples: 0, lastError: nil)
                try await harness.storage.recordHeartbeat(old, terminal: "tn", receivedAtMs: API.nowMs - 2 * 3_600_000)

                let first = try await client.execute(uri: "/v1/fleet/ranking?day=2026-11-22&minSamples=1&limit=1", method: .get,
                                                     headers: AccessHTTPTests.headers("admin")) { response in
                    (response.headers[HTTPField.Name("Link")!], try JSONDecoder().decode(FleetRankingAnswer.self, from: Data(buffer: response.body)))
                }
                #expect(first.1.sites.map(\.site) == ["n"])
                let next = try #require(first.1.next)
                #expect(first.0 == "</v1/fleet/ranking?day=2026-11-22&minSamples=1&limit=1&cursor=\(next)>; rel=\"next\"")
                let second = try await Self.json(client, "/v1/fleet/ranking?day=2026-11-22&minSamples=1&limit=1&cursor=\(next)",
                                                 FleetRankingAnswer.self)
                #expect(second.sites.map { "\($0.rank ?? 0) \($0.site) \($0.region ?? "-")" } == ["2 a south"] && second.next == nil)

                let all = try await Self.json(client, "/v1/fleet/terminals", FleetTerminalsAnswer.self)
                #expect(all.terminals.map { "\($0.terminal) \($0.site ?? "-") \($0.health.state) \($0.health.incident) \($0.siteOpen.map(String.init) ?? "-")" }
                        == ["ta a online false false", "tn n offline false false"])
                #expect(all.terminals.last?.health.missedHeartbeats == 7 && all.terminals.last?.heartbeat?.backlog == 7)
                let page = try await Self.json(client, "/v1/fleet/terminals?limit=1", FleetTerminalsAnswer.self)
                #expect(page.terminals.map(\.terminal) == ["ta"])
                let rest = try await Self.json(client, "/v1/fleet/terminals?limit=1&cursor=\(try #require(page.next))", FleetTerminalsAnswer.self)
                #expect(rest.terminals.map(\.terminal) == ["tn"] && rest.next == nil)
                #expect(try await Self.json(client, "/v1/fleet/terminals?state=offline", FleetTerminalsAnswer.self).terminals.map(\.terminal) == ["tn"])
                #expect(try await Self.json(client, "/v1/fleet/terminals?incident=true", FleetTerminalsAnswer.self).terminals.isEmpty)
                // A tokens-file terminal not bound yet may claim site a in its heartbeat: that does not put it in a's list.
                #expect(try await AccessHTTPTests.beat(client, as: "legacy", site: "a").0 == .noContent)
                #expect(try await Self.json(client, "/v1/fleet/terminals", as: "viewer-a", FleetTerminalsAnswer.self).terminals.map(\.terminal) == ["ta"])
                #expect(try await Self.json(client, "/v1/fleet/terminals?region=north", as: "viewer-north", FleetTerminalsAnswer.self)
                    .terminals.map(\.terminal) == ["tn"])
            }
        }
    }

    @Test("bad queries: 400 saying what and what is allowed; an unknown region 404", arguments: StorageBackend.allCases)
    func badQueries(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            try await AccessHTTPTests.organise(harness.storage)
            try await AccessHTTPTests.run(harness.storage, logs: RecordedLogs()) { client in
                for (uri, status, message) in [
                    ("/v1/fleet/summary?regoin=south&day=2026-11-22", HTTPResponse.Status.badRequest, "unknown query parameter regoin"),
                    ("/v1/fleet/summary?site=a", .badRequest, "no period"),
                    ("/v1/fleet/buckets?day=2026-11-22&by=minute", .badRequest, "by=minute is not known; use hour or weekday-hour"),
                    ("/v1/fleet/ranking?day=2026-11-22&cursor=%21", .badRequest, "cursor is not one this collector gave"),
                    ("/v1/fleet/ranking?day=2026-11-22&cursor=\(PageRequest.cursor(after: "x"))", .badRequest, "cursor is not one this endpoint gave"),
                    ("/v1/fleet/terminals?state=gone", .badRequest, "state=gone is not known"),
                    ("/v1/fleet/summary?day=2026-11-22&minSamples=0", .badRequest, "minSamples=0 is not valid"),
                    ("/v1/fleet/summary?region=west&day=2026-11-22", .notFound, "region west has no sites"),
                ] {
                    let (got, body) = try await AccessHTTPTests.get(client, uri, as: "admin")
                    #expect(got == status, "\(uri): \(body)")
                    #expect(body.contains(message), "\(uri): \(body)")
                }
            }
        }
    }

    @Test("a storage that fails: every fleet read answers 503 with Retry-After, never a half answer")
    func storageDown() async throws {
        try await CollectorErrorTests().withCollector(storage: FailingStorage()) { client in
            for uri in ["/v1/fleet/summary?day=2026-11-22", "/v1/fleet/buckets?day=2026-11-22", "/v1/fleet/ranking?day=2026-11-22",
                        "/v1/fleet/terminals"] {
                try await client.execute(uri: uri, method: .get,
                                         headers: [.authorization: "Bearer \(CollectorErrorTests.adminToken)"]) { response in
                    #expect(response.status == .serviceUnavailable, "\(uri)")
                    #expect(response.headers[.retryAfter] == "5", "\(uri)")
                    #expect(String(buffer: response.body).contains("cannot be read now; retry later"), "\(uri)")
                }
            }
        }
    }
}

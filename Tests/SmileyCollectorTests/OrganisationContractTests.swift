import Foundation
import Testing
@testable import SmileyCollector

/// The organisation half of the storage contract (``OrganisationStorage``): the same bodies on
/// SQLite and on a real PostgreSQL server.
@Suite("smiley-collector organisation contract: SQLite and PostgreSQL", .postgresServer, .timeLimit(.minutes(3)))
struct OrganisationContractTests {
    static func site(_ id: String, region: String, hours: String? = nil) throws -> Site {
        try Site(id: id, region: region, timeZone: "Europe/Helsinki", openingHours: hours)
    }

    @Test("sites: added once, listed by id, each with its region, zone and hours", arguments: StorageBackend.allCases)
    func sites(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let storage = harness.storage
            #expect(try await storage.sites().isEmpty)
            let b = try Self.site("b", region: "north", hours: "mon-fri 08:00-20:00")
            let a = try Self.site("a", region: "south")
            try await storage.addSite(b)
            try await storage.addSite(a)
            #expect(try await storage.sites() == [a, b])
            #expect(try await storage.site(id: "b") == b)
            #expect(try await storage.site(id: "c") == nil)
            await #expect(throws: OrganisationError("site b exists already")) {
                try await storage.addSite(try Self.site("b", region: "south"))
            }
            #expect(try await storage.site(id: "b")?.region == "north")
        }
    }

    @Test("credentials: stored by digest, found by it, listed with their scope, revoked once", arguments: StorageBackend.allCases)
    func credentials(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let storage = harness.storage
            try await storage.addSite(try Self.site("a", region: "south"))
            try await storage.addSite(try Self.site("n", region: "north"))
            let digests = (0..<4).map { TokenDigest.of("token-\($0)") }
            let terminal = try await storage.addCredential(.terminal("t", site: "a"), digest: digests[0], createdAtMs: 1_000)
            let viewer = try await storage.addCredential(.viewer(sites: ["a"], regions: ["north"]), digest: digests[1], createdAtMs: 2_000)
            let admin = try await storage.addCredential(.admin, digest: digests[2], createdAtMs: 3_000)
            #expect(Set([terminal, viewer, admin]).count == 3)

            #expect(try await storage.credential(digest: digests[0])
                    == Credential(id: terminal, scope: .terminal("t", site: "a"), createdAtMs: 1_000, revokedAtMs: nil))
            #expect(try await storage.credential(digest: digests[1])?.scope == .viewer(sites: ["a"], regions: ["north"]))
            #expect(try await storage.credential(digest: digests[2])?.scope == .admin)
            #expect(try await storage.credential(digest: digests[3]) == nil)
            #expect(try await storage.credentials().map(\.id) == [terminal, viewer, admin].sorted())
            #expect(try await storage.terminalSite("t") == "a")

            #expect(try await storage.revokeCredential(id: viewer, atMs: 5_000))
            #expect(try await storage.revokeCredential(id: viewer, atMs: 6_000))
            #expect(try await storage.credential(digest: digests[1])?.revokedAtMs == 5_000)
            #expect(try await !storage.revokeCredential(id: 999_999, atMs: 6_000))
            #expect(try await storage.credentials().filter { $0.revokedAtMs != nil }.map(\.id) == [viewer])
        }
    }

    @Test("a credential is refused for an unknown site or region, a terminal of another site, a digest stored already",
          arguments: StorageBackend.allCases)
    func refusals(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let storage = harness.storage
            try await storage.addSite(try Self.site("a", region: "south"))
            try await storage.addSite(try Self.site("b", region: "south"))
            await #expect(throws: OrganisationError.unknownSite("x")) {
                _ = try await storage.addCredential(.terminal("t", site: "x"), digest: TokenDigest.of("1"), createdAtMs: 0)
            }
            await #expect(throws: OrganisationError.unknownSite("x")) {
                _ = try await storage.addCredential(.viewer(sites: ["a", "x"], regions: []), digest: TokenDigest.of("1"), createdAtMs: 0)
            }
            await #expect(throws: OrganisationError.unknownRegion("west")) {
                _ = try await storage.addCredential(.viewer(sites: [], regions: ["west"]), digest: TokenDigest.of("1"), createdAtMs: 0)
            }
            _ = try await storage.addCredential(.terminal("t", site: "a"), digest: TokenDigest.of("1"), createdAtMs: 0)
            // A second credential for the same terminal and site (a new token before the old is revoked).
            _ = try await storage.addCredential(.terminal("t", site: "a"), digest: TokenDigest.of("2"), createdAtMs: 0)
            await #expect(throws: OrganisationError("terminal t belongs to site a, not b; a terminal belongs to exactly one site")) {
                _ = try await storage.addCredential(.terminal("t", site: "b"), digest: TokenDigest.of("3"), createdAtMs: 0)
            }
            await #expect(throws: OrganisationError.tokenExists) {
                _ = try await storage.addCredential(.admin, digest: TokenDigest.of("1"), createdAtMs: 0)
            }
            // Nothing of the refused ones was stored.
            #expect(try await storage.credentials().count == 2)
            #expect(try await storage.credential(digest: TokenDigest.of("3")) == nil)
        }
    }

    @Test("a terminal is bound once: the first site wins, later binds return it", arguments: StorageBackend.allCases)
    func binding(backend: StorageBackend) async throws {
        try await backend.withStorage { harness in
            let storage = harness.storage
            let before = try await storage.terminalSite("t")
            #expect(before == nil)
            #expect(try await storage.bindTerminal("t", site: "a", atMs: 1) == "a")
            #expect(try await storage.bindTerminal("t", site: "b", atMs: 2) == "a")
            #expect(try await storage.bindTerminal("u", site: "b", atMs: 3) == "b")
            #expect(try await storage.terminalSite("t") == "a")
            #expect(try await storage.terminalSites() == ["t": "a", "u": "b"])
        }
    }
}

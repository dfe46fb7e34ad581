import Testing
@testable import SmileyCollector

/// ``Access``, table-driven: every kind of credential × every endpoint × its own site, a site of
/// its region, and another site.
@Suite("smiley-collector: access decisions")
struct AccessTests {
    static let terminal = Principal(role: .terminal("t", site: "a"), credential: 1)
    static let legacy = Principal(role: .terminal("t", site: nil), credential: nil)
    static let viewer = Principal(role: .viewer(sites: ["a"], regions: ["north"]), credential: 2)
    static let admin = Principal(role: .admin, credential: 3)

    /// Where a site is: `a` (the viewer's site, region south), `n` (in the viewer's region north), `b` (neither).
    static let regions = ["a": "south", "n": "north", "b": "south"]

    struct Row: Sendable, CustomTestStringConvertible {
        var who: String
        var principal: Principal
        var action: Access.Action
        var site: String
        var allowed: Bool
        var testDescription: String { "\(who) \(action) \(site) → \(allowed ? "allow" : "deny")" }
    }

    static let reads: [Row] = {
        var rows: [Row] = []
        for site in ["a", "n", "b"] {
            for action in [Access.Action.getSummary, .getTerminals] {
                rows.append(Row(who: "terminal", principal: terminal, action: action, site: site, allowed: false))
                rows.append(Row(who: "legacy terminal", principal: legacy, action: action, site: site, allowed: false))
                rows.append(Row(who: "viewer", principal: viewer, action: action, site: site, allowed: site != "b"))
                rows.append(Row(who: "admin", principal: admin, action: action, site: site, allowed: true))
            }
            for who in [("terminal", terminal), ("legacy terminal", legacy), ("viewer", viewer), ("admin", admin)] {
                rows.append(Row(who: who.0, principal: who.1, action: .getHealth, site: site, allowed: true))
            }
        }
        return rows
    }()

    @Test("reads: terminals read nothing, a viewer its sites and its regions' sites, an admin every site", arguments: reads)
    func read(row: Row) {
        let decision = Access.read(row.principal, row.action, site: row.site, region: Self.regions[row.site])
        #expect((decision == .allow) == row.allowed, "\(decision)")
    }

    static let writes: [Row] = {
        var rows: [Row] = []
        for action in [Access.Action.postBatch, .postHeartbeat] {
            for site in ["a", "b"] {
                rows.append(Row(who: "terminal", principal: terminal, action: action, site: site, allowed: site == "a"))
                rows.append(Row(who: "viewer", principal: viewer, action: action, site: site, allowed: false))
                rows.append(Row(who: "admin", principal: admin, action: action, site: site, allowed: false))
            }
        }
        return rows
    }()

    @Test("writes: only a terminal, for its own terminal and its own site", arguments: writes)
    func write(row: Row) {
        let decision = Access.write(row.principal, row.action, terminal: "t", site: row.site, boundSite: "a")
        #expect((decision == .allow) == row.allowed, "\(decision)")
    }

    @Test("the refusals say why")
    func messages() {
        #expect(Access.write(Self.terminal, .postBatch, terminal: "t", site: "b", boundSite: "a")
                == .deny("terminal t belongs to site a, the batch says site b; a terminal posts for its own site only"))
        #expect(Access.write(Self.terminal, .postHeartbeat, terminal: "t", site: "b", boundSite: "a")
                == .deny("terminal t belongs to site a, the heartbeat says site b; a terminal posts for its own site only"))
        #expect(Access.write(Self.terminal, .postBatch, terminal: "u", site: "a", boundSite: "a")
                == .deny("this token belongs to terminal t, the batch says u"))
        #expect(Access.read(Self.viewer, .getSummary, site: "b", region: "south")
                == .deny("this credential may read sites a and regions north; not site b"))
        #expect(Access.may(Self.terminal, .getSummary)
                == .deny("terminal t's token may only post its own batches and heartbeats; to read summaries use a viewer or admin credential (smiley-collector token add --viewer or --admin)"))
        #expect(Access.may(Self.admin, .postBatch) == .deny("only a terminal's own token may post batches; an admin credential reads only"))
    }

    @Test("a legacy terminal not bound yet may write for any site; once bound, for that site only")
    func legacy() {
        #expect(Access.write(Self.legacy, .postBatch, terminal: "t", site: "b", boundSite: nil) == .allow)
        #expect(Access.write(Self.legacy, .postBatch, terminal: "t", site: "b", boundSite: "a") != .allow)
        #expect(Access.write(Self.legacy, .postBatch, terminal: "u", site: "a", boundSite: nil) != .allow)
    }

    @Test("a new token is 32 random bytes in hex; only its digest is kept")
    func tokens() {
        let token = TokenDigest.newToken()
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit) && token == token.lowercased())
        #expect(token != TokenDigest.newToken())
        #expect(TokenDigest.of(token).count == 32)
    }
}

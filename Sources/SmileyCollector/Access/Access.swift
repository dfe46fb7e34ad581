/// The collector's access decisions, pure (no storage, no HTTP): every endpoint asks here.
///
/// | who      | POST batches / heartbeat           | GET summary, terminals          | GET /health |
/// |----------|------------------------------------|---------------------------------|-------------|
/// | terminal | its own terminal, its own site     | refused                         | yes         |
/// | viewer   | refused                            | its sites and its regions' sites | yes         |
/// | admin    | refused                            | every site                      | yes         |
public enum Access {
    /// What a request does.
    public enum Action: Sendable, Equatable, CaseIterable {
        case postBatch, postHeartbeat, getSummary, getTerminals, getHealth

        var what: String {
            switch self {
            case .postBatch: "post batches"
            case .postHeartbeat: "post heartbeats"
            case .getSummary: "read summaries"
            case .getTerminals: "read terminals"
            case .getHealth: "read /health"
            }
        }
    }

    public enum Decision: Sendable, Equatable {
        case allow
        /// 403 with this message.
        case deny(String)
    }

    /// Whether `principal` may do `action` at all (before any site is known).
    public static func may(_ principal: Principal, _ action: Action) -> Decision {
        switch (principal.role, action) {
        case (_, .getHealth): .allow
        case (.terminal, .postBatch), (.terminal, .postHeartbeat): .allow
        case (.terminal(let terminal, _), _):
            .deny("terminal \(terminal)'s token may only post its own batches and heartbeats; to \(action.what) use a viewer or admin credential (smiley-collector token add --viewer or --admin)")
        case (.viewer, .postBatch), (.viewer, .postHeartbeat), (.admin, .postBatch), (.admin, .postHeartbeat):
            .deny("only a terminal's own token may \(action.what); \(principal.role.kind == "admin" ? "an admin" : "a viewer") credential reads only")
        case (.viewer, _), (.admin, _): .allow
        }
    }

    /// Whether `principal` may write for `terminal` at `site` (a batch or heartbeat says both);
    /// `boundSite` is the site the terminal belongs to (nil: not bound yet, the legacy tokens file).
    public static func write(_ principal: Principal, _ action: Action, terminal: String, site: String,
                             boundSite: String?) -> Decision {
        guard case .allow = may(principal, action) else { return may(principal, action) }
        guard case .terminal(let own, _) = principal.role else { return .deny("only terminals write") }
        let noun = action == .postHeartbeat ? "heartbeat" : "batch"
        guard terminal == own else { return .deny("this token belongs to terminal \(own), the \(noun) says \(terminal)") }
        if let boundSite, boundSite != site {
            return .deny("terminal \(own) belongs to site \(boundSite), the \(noun) says site \(site); a terminal posts for its own site only")
        }
        return .allow
    }

    /// Whether `principal` may read `site` (whose region is `region`, nil for a site not in the organisation).
    public static func read(_ principal: Principal, _ action: Action, site: String, region: String?) -> Decision {
        guard case .allow = may(principal, action) else { return may(principal, action) }
        // /health is the fleet's liveness, no site's data.
        if action == .getHealth { return .allow }
        switch principal.role {
        case .admin: return .allow
        case .viewer(let sites, let regions):
            if sites.contains(site) { return .allow }
            if let region, regions.contains(region) { return .allow }
            let scope = [sites.isEmpty ? nil : "sites " + sites.sorted().joined(separator: ", "),
                         regions.isEmpty ? nil : "regions " + regions.sorted().joined(separator: ", ")]
                .compactMap { $0 }.joined(separator: " and ")
            return .deny("this credential may read \(scope); not site \(site)")
        case .terminal: return may(principal, action)
        }
    }
}

extension Principal.Role {
    var kind: String {
        switch self {
        case .terminal: "terminal"
        case .viewer: "viewer"
        case .admin: "admin"
        }
    }
}

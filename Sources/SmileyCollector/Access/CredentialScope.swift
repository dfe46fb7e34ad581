/// What a credential may do, as it is made (`smiley-collector token add`):
/// - `terminal`: write its own terminal's batches and heartbeats, for its one site; read nothing;
/// - `viewer`: read the listed sites and every site of the listed regions; write nothing;
/// - `admin`: read everything; write nothing (batches come from terminals only, so a leaked
///   reading credential cannot add or rename samples).
public enum CredentialScope: Sendable, Equatable {
    case terminal(String, site: String)
    case viewer(sites: [String], regions: [String])
    case admin

    public var kind: String {
        switch self {
        case .terminal: "terminal"
        case .viewer: "viewer"
        case .admin: "admin"
        }
    }

    /// One line for `token list`: `terminal=T site=S`, `sites=A,B regions=R`, `all`.
    public var summary: String {
        switch self {
        case .terminal(let terminal, let site): "terminal=\(terminal) site=\(site)"
        case .viewer(let sites, let regions):
            [sites.isEmpty ? nil : "sites=" + sites.joined(separator: ","),
             regions.isEmpty ? nil : "regions=" + regions.joined(separator: ",")].compactMap { $0 }.joined(separator: " ")
        case .admin: "all"
        }
    }
}

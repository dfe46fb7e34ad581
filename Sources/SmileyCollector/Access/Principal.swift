/// Who a request is, once its bearer token is known: a terminal (from a stored credential, or from
/// the legacy tokens file), a viewer or an admin.
public struct Principal: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        /// `site` is nil for a tokens-file terminal not bound yet (its first accepted batch binds it).
        case terminal(String, site: String?)
        case viewer(sites: Set<String>, regions: Set<String>)
        case admin
    }

    public var role: Role
    /// The stored credential's id; nil for a tokens-file terminal.
    public var credential: Int64?

    public init(role: Role, credential: Int64?) {
        self.role = role
        self.credential = credential
    }

    /// A stored credential's principal.
    public init(_ credential: Credential) {
        switch credential.scope {
        case .terminal(let terminal, let site): role = .terminal(terminal, site: site)
        case .viewer(let sites, let regions): role = .viewer(sites: Set(sites), regions: Set(regions))
        case .admin: role = .admin
        }
        self.credential = credential.id
    }
}

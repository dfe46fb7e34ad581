import Foundation
import Logging
import PostgresNIO

/// Regions, sites, terminals and credentials in PostgreSQL (``OrganisationStorage``), every call
/// bounded by the storage's deadline like the others.
extension PostgresCollectorStorage {
    public func addSite(_ site: Site) async throws {
        let (client, logger) = (self.client, self.logger)
        try await deadline.run {
            try await Self.transaction(client, logger: logger) { connection in
                try await connection.query("INSERT INTO region (id) VALUES (\(site.region)) ON CONFLICT DO NOTHING", logger: logger)
                var added = false
                for try await _ in try await connection.query("""
                    INSERT INTO site (id, region, time_zone, opening_hours)
                    VALUES (\(site.id), \(site.region), \(site.timeZone), \(site.openingHours))
                    ON CONFLICT DO NOTHING RETURNING id
                    """, logger: logger) {
                    added = true
                }
                guard added else { throw OrganisationError.siteExists(site.id) }
            }
        }
    }

    public func sites() async throws -> [Site] {
        try await siteRows(PostgresQuery(unsafeSQL: Self.siteQuery + " ORDER BY id COLLATE \"C\""))
    }

    public func site(id: String) async throws -> Site? {
        try await siteRows("SELECT id, region, time_zone, opening_hours FROM site WHERE id = \(id)").first
    }

    static let siteQuery = "SELECT id, region, time_zone, opening_hours FROM site"

    private func siteRows(_ query: PostgresQuery) async throws -> [Site] {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            var sites: [Site] = []
            for try await (id, region, zone, hours) in try await client.query(query, logger: logger)
                .decode((String, String, String, String?).self) {
                sites.append(Site(stored: id, region: region, timeZone: zone, openingHours: hours))
            }
            return sites
        }
    }

    public func addCredential(_ scope: CredentialScope, digest: Data, createdAtMs: Int64) async throws -> Int64 {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            try await Self.transaction(client, logger: logger) { connection -> Int64 in
                func exists(_ query: PostgresQuery) async throws -> Bool {
                    for try await _ in try await connection.query(query, logger: logger) { return true }
                    return false
                }
                if try await exists("SELECT 1 FROM credential WHERE digest = \(digest)") { throw OrganisationError.tokenExists }
                var terminal: String?
                switch scope {
                case .terminal(let id, let site):
                    guard try await exists("SELECT 1 FROM site WHERE id = \(site)") else { throw OrganisationError.unknownSite(site) }
                    try await connection.query("""
                        INSERT INTO terminal (id, site, bound_at) VALUES (\(id), \(site), \(createdAtMs)) ON CONFLICT DO NOTHING
                        """, logger: logger)
                    for try await bound in try await connection.query("SELECT site FROM terminal WHERE id = \(id)", logger: logger)
                        .decode(String.self) where bound != site {
                        throw OrganisationError.terminalElsewhere(id, site: bound, wanted: site)
                    }
                    terminal = id
                case .viewer(let sites, let regions):
                    for site in sites {
                        guard try await exists("SELECT 1 FROM site WHERE id = \(site)") else { throw OrganisationError.unknownSite(site) }
                    }
                    for region in regions {
                        guard try await exists("SELECT 1 FROM region WHERE id = \(region)") else {
                            throw OrganisationError.unknownRegion(region)
                        }
                    }
                case .admin:
                    break
                }
                var id: Int64 = 0
                for try await value in try await connection.query("""
                    INSERT INTO credential (kind, digest, terminal, created_at)
                    VALUES (\(scope.kind), \(digest), \(terminal), \(createdAtMs)) RETURNING id
                    """, logger: logger).decode(Int64.self) {
                    id = value
                }
                if case .viewer(let sites, let regions) = scope {
                    for (kind, names) in [("site", sites), ("region", regions)] {
                        for name in Set(names) {
                            try await connection.query("""
                                INSERT INTO credential_scope (credential, kind, name) VALUES (\(id), \(kind), \(name))
                                """, logger: logger)
                        }
                    }
                }
                return id
            }
        }
    }

    public func credential(digest: Data) async throws -> Credential? {
        try await credentialRows(digest: digest).first
    }

    public func credentials() async throws -> [Credential] {
        try await credentialRows(digest: nil)
    }

    /// The credentials (the one with `digest`, or all), each with its scope: two queries on one connection.
    private func credentialRows(digest: Data?) async throws -> [Credential] {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            try await client.withConnection { connection in
                var rows: [(Int64, String, String?, String?, Int64, Int64?)] = []
                let select = """
                    SELECT c.id, c.kind, c.terminal, t.site, c.created_at, c.revoked_at
                    FROM credential c LEFT JOIN terminal t ON t.id = c.terminal
                    """
                var query = PostgresQuery(unsafeSQL: select + " ORDER BY c.id")
                if let digest {
                    var bindings = PostgresBindings()
                    try bindings.append(digest)
                    query = PostgresQuery(unsafeSQL: select + " WHERE c.digest = $1", binds: bindings)
                }
                for try await row in try await connection.query(query, logger: logger)
                    .decode((Int64, String, String?, String?, Int64, Int64?).self) {
                    rows.append(row)
                }
                var scopes: [Int64: (sites: [String], regions: [String])] = [:]
                let viewers = rows.filter { $0.1 == "viewer" }.map(\.0)
                if !viewers.isEmpty {
                    for try await (credential, kind, name) in try await connection.query("""
                        SELECT credential, kind, name FROM credential_scope WHERE credential = ANY(\(viewers))
                        ORDER BY credential, kind, name COLLATE "C"
                        """, logger: logger).decode((Int64, String, String).self) {
                        if kind == "site" { scopes[credential, default: ([], [])].sites.append(name) }
                        else { scopes[credential, default: ([], [])].regions.append(name) }
                    }
                }
                return rows.map { id, kind, terminal, site, created, revoked in
                    let scope: CredentialScope = switch kind {
                    case "terminal": .terminal(terminal ?? "", site: site ?? "")
                    case "viewer": .viewer(sites: scopes[id]?.sites ?? [], regions: scopes[id]?.regions ?? [])
                    default: .admin
                    }
                    return Credential(id: id, scope: scope, createdAtMs: created, revokedAtMs: revoked)
                }
            }
        }
    }

    public func revokeCredential(id: Int64, atMs: Int64) async throws -> Bool {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            var found = false
            for try await _ in try await client.query("""
                UPDATE credential SET revoked_at = coalesce(revoked_at, \(atMs)) WHERE id = \(id) RETURNING id
                """, logger: logger) {
                found = true
            }
            return found
        }
    }

    public func bindTerminal(_ terminal: String, site: String, atMs: Int64) async throws -> String {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            try await Self.transaction(client, logger: logger) { connection in
                try await connection.query("""
                    INSERT INTO terminal (id, site, bound_at) VALUES (\(terminal), \(site), \(atMs)) ON CONFLICT DO NOTHING
                    """, logger: logger)
                var bound = site
                for try await value in try await connection.query("SELECT site FROM terminal WHERE id = \(terminal)", logger: logger)
                    .decode(String.self) {
                    bound = value
                }
                return bound
            }
        }
    }

    public func terminalSite(_ terminal: String) async throws -> String? {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            var site: String?
            for try await value in try await client.query("SELECT site FROM terminal WHERE id = \(terminal)", logger: logger)
                .decode(String.self) {
                site = value
            }
            return site
        }
    }

    public func terminalSites() async throws -> [String: String] {
        let (client, logger) = (self.client, self.logger)
        return try await deadline.run {
            var sites: [String: String] = [:]
            for try await (terminal, site) in try await client.query("SELECT id, site FROM terminal", logger: logger)
                .decode((String, String).self) {
                sites[terminal] = site
            }
            return sites
        }
    }

    /// `body` in a transaction; an ``OrganisationError`` it throws comes out as itself (PostgresNIO wraps it).
    static func transaction<T: Sendable>(_ client: PostgresClient, logger: Logger,
                                         _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let refusal = error.closureError as? OrganisationError { throw refusal }
            throw error
        }
    }
}

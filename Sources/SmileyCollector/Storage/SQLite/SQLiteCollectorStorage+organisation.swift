import Foundation
import GRDB

/// Regions, sites, terminals and credentials in the collector's SQLite file (``OrganisationStorage``).
extension SQLiteCollectorStorage {
    /// The migration "v3-organisation-credentials": fleet → region → site → terminal, and the
    /// credentials by the digest of their token.
    static func migrateOrganisation(_ db: Database) throws {
        try db.execute(sql: "CREATE TABLE region (id TEXT PRIMARY KEY) WITHOUT ROWID")
        try db.execute(sql: """
            CREATE TABLE site (
                id TEXT PRIMARY KEY,
                region TEXT NOT NULL REFERENCES region(id),
                time_zone TEXT NOT NULL,
                opening_hours TEXT
            ) WITHOUT ROWID
            """)
        // Not a reference to site: a legacy tokens-file terminal is bound to whatever site its first batch names.
        try db.execute(sql: """
            CREATE TABLE terminal (
                id TEXT PRIMARY KEY,
                site TEXT NOT NULL,
                bound_at INTEGER NOT NULL
            ) WITHOUT ROWID
            """)
        try db.execute(sql: """
            CREATE TABLE credential (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL CHECK (kind IN ('terminal', 'viewer', 'admin')),
                digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),
                terminal TEXT REFERENCES terminal(id),
                created_at INTEGER NOT NULL,
                revoked_at INTEGER,
                CHECK ((kind = 'terminal') = (terminal IS NOT NULL))
            )
            """)
        try db.execute(sql: """
            CREATE TABLE credential_scope (
                credential INTEGER NOT NULL REFERENCES credential(id),
                kind TEXT NOT NULL CHECK (kind IN ('site', 'region')),
                name TEXT NOT NULL,
                PRIMARY KEY (credential, kind, name)
            ) WITHOUT ROWID
            """)
    }

    public func addSite(_ site: Site) async throws {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM site WHERE id = ?", arguments: [site.id]) != nil {
                throw OrganisationError.siteExists(site.id)
            }
            try db.execute(sql: "INSERT OR IGNORE INTO region (id) VALUES (?)", arguments: [site.region])
            try db.execute(sql: "INSERT INTO site (id, region, time_zone, opening_hours) VALUES (?, ?, ?, ?)",
                           arguments: [site.id, site.region, site.timeZone, site.openingHours])
        }
    }

    public func sites() async throws -> [Site] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, region, time_zone, opening_hours FROM site ORDER BY id").map(Self.site)
        }
    }

    public func site(id: String) async throws -> Site? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT id, region, time_zone, opening_hours FROM site WHERE id = ?", arguments: [id]).map(Self.site)
        }
    }

    static func site(_ row: Row) -> Site {
        Site(stored: row["id"], region: row["region"], timeZone: row["time_zone"], openingHours: row["opening_hours"])
    }

    public func addCredential(_ scope: CredentialScope, digest: Data, createdAtMs: Int64) async throws -> Int64 {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM credential WHERE digest = ?", arguments: [digest]) != nil {
                throw OrganisationError.tokenExists
            }
            var terminal: String?
            switch scope {
            case .terminal(let id, let site):
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM site WHERE id = ?", arguments: [site]) != nil else {
                    throw OrganisationError.unknownSite(site)
                }
                if let bound = try String.fetchOne(db, sql: "SELECT site FROM terminal WHERE id = ?", arguments: [id]) {
                    guard bound == site else { throw OrganisationError.terminalElsewhere(id, site: bound, wanted: site) }
                } else {
                    try db.execute(sql: "INSERT INTO terminal (id, site, bound_at) VALUES (?, ?, ?)", arguments: [id, site, createdAtMs])
                }
                terminal = id
            case .viewer(let sites, let regions):
                for site in sites {
                    guard try Bool.fetchOne(db, sql: "SELECT 1 FROM site WHERE id = ?", arguments: [site]) != nil else {
                        throw OrganisationError.unknownSite(site)
                    }
                }
                for region in regions {
                    guard try Bool.fetchOne(db, sql: "SELECT 1 FROM region WHERE id = ?", arguments: [region]) != nil else {
                        throw OrganisationError.unknownRegion(region)
                    }
                }
            case .admin:
                break
            }
            try db.execute(sql: "INSERT INTO credential (kind, digest, terminal, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [scope.kind, digest, terminal, createdAtMs])
            let id = db.lastInsertedRowID
            if case .viewer(let sites, let regions) = scope {
                for (kind, names) in [("site", sites), ("region", regions)] {
                    for name in Set(names) {
                        try db.execute(sql: "INSERT INTO credential_scope (credential, kind, name) VALUES (?, ?, ?)",
                                       arguments: [id, kind, name])
                    }
                }
            }
            return id
        }
    }

    public func credential(digest: Data) async throws -> Credential? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: Self.credentialQuery + " WHERE c.digest = ?", arguments: [digest])
                .map { try Self.credential($0, db) }
        }
    }

    public func credentials() async throws -> [Credential] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: Self.credentialQuery + " ORDER BY c.id").map { try Self.credential($0, db) }
        }
    }

    static let credentialQuery = """
        SELECT c.id, c.kind, c.terminal, t.site, c.created_at, c.revoked_at
        FROM credential c LEFT JOIN terminal t ON t.id = c.terminal
        """

    static func credential(_ row: Row, _ db: Database) throws -> Credential {
        let id: Int64 = row["id"]
        let scope: CredentialScope
        switch row["kind"] as String {
        case "terminal":
            scope = .terminal(row["terminal"], site: row["site"])
        case "viewer":
            let rows = try Row.fetchAll(db, sql: "SELECT kind, name FROM credential_scope WHERE credential = ? ORDER BY kind, name",
                                        arguments: [id])
            scope = .viewer(sites: rows.filter { $0["kind"] == "site" }.map { $0["name"] },
                            regions: rows.filter { $0["kind"] == "region" }.map { $0["name"] })
        default:
            scope = .admin
        }
        return Credential(id: id, scope: scope, createdAtMs: row["created_at"], revokedAtMs: row["revoked_at"])
    }

    public func revokeCredential(id: Int64, atMs: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE credential SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", arguments: [atMs, id])
            return db.changesCount > 0
        }
    }

    public func bindTerminal(_ terminal: String, site: String, atMs: Int64) async throws -> String {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO terminal (id, site, bound_at) VALUES (?, ?, ?)", arguments: [terminal, site, atMs])
            return try String.fetchOne(db, sql: "SELECT site FROM terminal WHERE id = ?", arguments: [terminal]) ?? site
        }
    }

    public func terminalSite(_ terminal: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT site FROM terminal WHERE id = ?", arguments: [terminal]) }
    }

    public func terminalSites() async throws -> [String: String] {
        try await pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, site FROM terminal").map { ($0["id"], $0["site"]) })
        }
    }
}

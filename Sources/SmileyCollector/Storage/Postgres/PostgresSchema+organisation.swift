extension PostgresSchema {
    /// Version 2: fleet → region → site → terminal, and the credentials by the SHA-256 digest of their token.
    static let organisation = PostgresMigration(version: 2, name: "regions, sites, terminals, credentials", statements: [
        "CREATE TABLE region (id text PRIMARY KEY)",
        """
        CREATE TABLE site (
            id text PRIMARY KEY,
            region text NOT NULL REFERENCES region (id),
            time_zone text NOT NULL,
            opening_hours text
        )
        """,
        // Not a reference to site: a legacy tokens-file terminal is bound to whatever site its first batch names.
        """
        CREATE TABLE terminal (
            id text PRIMARY KEY,
            site text NOT NULL,
            bound_at bigint NOT NULL
        )
        """,
        """
        CREATE TABLE credential (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind text NOT NULL CHECK (kind IN ('terminal', 'viewer', 'admin')),
            digest bytea NOT NULL UNIQUE CHECK (octet_length(digest) = 32),
            terminal text REFERENCES terminal (id),
            created_at bigint NOT NULL,
            revoked_at bigint,
            CHECK ((kind = 'terminal') = (terminal IS NOT NULL))
        )
        """,
        """
        CREATE TABLE credential_scope (
            credential bigint NOT NULL REFERENCES credential (id),
            kind text NOT NULL CHECK (kind IN ('site', 'region')),
            name text NOT NULL,
            PRIMARY KEY (credential, kind, name)
        )
        """,
    ])
}

/// The collector's PostgreSQL schema, as versioned steps. Append new steps; never edit an applied one.
enum PostgresSchema {
    /// The table recording which versions are applied (created under the migration lock).
    static let versionTable = "smiley_schema"

    static let migrations: [PostgresMigration] = [
        PostgresMigration(version: 1, name: "samples, idempotency keys, heartbeats, per-terminal totals", statements: [
            // One row per (terminal, sample id): another terminal re-using an id stores its own sample.
            """
            CREATE TABLE sample (
                id bigint GENERATED ALWAYS AS IDENTITY,
                terminal text NOT NULL,
                uuid uuid NOT NULL,
                site text NOT NULL,
                survey text NOT NULL,
                button integer NOT NULL,
                button_name text NOT NULL,
                scale integer NOT NULL,
                recorded_at bigint NOT NULL,
                utc_offset integer NOT NULL,
                local_day date NOT NULL,
                clock_synchronized boolean NOT NULL,
                misuse text,
                batch text NOT NULL,
                received_at bigint NOT NULL,
                PRIMARY KEY (terminal, uuid)
            )
            """,
            "CREATE INDEX sample_by_site_day ON sample (site, local_day)",
            // The idempotency record: the payload's fingerprint and the answer given.
            """
            CREATE TABLE batch_key (
                terminal text NOT NULL,
                key text NOT NULL,
                fingerprint bytea NOT NULL,
                status integer NOT NULL,
                response bytea NOT NULL,
                samples integer NOT NULL,
                accepted integer NOT NULL,
                received_at bigint NOT NULL,
                PRIMARY KEY (terminal, key)
            )
            """,
            """
            CREATE TABLE heartbeat (
                terminal text PRIMARY KEY,
                received_at bigint NOT NULL,
                body text NOT NULL
            )
            """,
            // Kept in each batch's transaction, so /health and /v1/terminals count without scanning samples.
            """
            CREATE TABLE terminal_total (
                terminal text PRIMARY KEY,
                samples bigint NOT NULL,
                batches bigint NOT NULL,
                last_batch_at bigint NOT NULL
            )
            """,
        ]),
        organisation,
        rollups,
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }
}

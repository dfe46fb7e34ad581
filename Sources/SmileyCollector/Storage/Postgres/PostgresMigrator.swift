import Logging
import PostgresNIO

/// Applies ``PostgresSchema`` under a session advisory lock, so collectors starting together (or
/// `smiley-collector migrate` beside them) apply each step once; the others wait and find it done.
struct PostgresMigrator: Sendable {
    /// The advisory lock's key ("smiley" in ASCII), the same for every collector.
    static let lockKey: Int64 = 0x736D_696C_6579
    let migrations: [PostgresMigration]
    /// For messages: which database.
    let database: String

    init(migrations: [PostgresMigration] = PostgresSchema.migrations, database: String) {
        self.migrations = migrations
        self.database = database
    }

    /// The versions applied now (empty when the schema was current); throws ``PostgresSchemaError``
    /// for a database newer than ``migrations``.
    func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
        do {
            let applied = try await migrateLocked(connection, logger: logger)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            return applied
        } catch {
            // The lock ends with the session anyway; unlocking here frees it for the others at once.
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            throw error
        }
    }

    private func migrateLocked(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query(PostgresQuery(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS \(PostgresSchema.versionTable) (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """), logger: logger)
        var current = 0
        for try await version in try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT coalesce(max(version), 0)::int8 FROM \(PostgresSchema.versionTable)"),
            logger: logger).decode(Int64.self) {
            current = Int(version)
        }
        let known = migrations.last?.version ?? 0
        if current > known { throw PostgresSchemaError.newer(database: database, found: current, known: known) }
        var applied: [Int] = []
        for migration in migrations where migration.version > current {
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in migration.statements {
                    try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await transaction.query("""
                    INSERT INTO smiley_schema (version, name) VALUES (\(migration.version), \(migration.name))
                    """, logger: logger)
            }
            logger.notice("database schema migrated", metadata: ["version": "\(migration.version)", "step": "\(migration.name)"])
            applied.append(migration.version)
        }
        return applied
    }
}

import SmileyCore

/// The database's schema is one this collector cannot use (exit status 74).
public struct PostgresSchemaError: UserFacingError, Sendable, Equatable {
    public var description: String
    public var exitCode: Int32 { 74 }

    public init(_ description: String) { self.description = description }

    static func newer(database: String, found: Int, known: Int) -> PostgresSchemaError {
        PostgresSchemaError("the database \(database) has schema version \(found), newer than this smiley-collector knows (\(known)); "
            + "a newer collector migrated it. Run that version (or a later one), or point this one at another database")
    }
}

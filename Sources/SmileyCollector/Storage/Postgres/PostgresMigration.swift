/// One step of the collector's PostgreSQL schema: applied once, in its own transaction, in order.
struct PostgresMigration: Sendable {
    var version: Int
    var name: String
    var statements: [String]
}

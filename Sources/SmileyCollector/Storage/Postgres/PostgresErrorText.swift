import PostgresNIO

/// A PostgreSQL failure in words for people: PSQLError's own description hides everything.
enum PostgresErrorText {
    static func describe(_ error: any Error) -> String {
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError {
                return describe(inner)
            }
        }
        guard let psql = error as? PSQLError else { return "\(error)" }
        if let message = psql.serverInfo?[.message] {
            let state = psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return "the server says: \(message)\(state)"
        }
        if let underlying = psql.underlying { return "\(underlying)" }
        return "\(psql.code)"
    }
}

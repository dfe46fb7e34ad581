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
        if let underlying = psql.underlying {
            let text = "\(underlying)"
            // NIOSSL's errors name the failure, not what to change.
            guard text.contains("SSL") else { return text }
            return text + " (TLS: the server's certificate must chain to database-ca-file, or the system's roots, "
                + "and name the host in the URL; database-tls: disable turns TLS off)"
        }
        return "\(psql.code)"
    }
}

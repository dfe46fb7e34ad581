import Foundation

/// Where a PostgreSQL database is and how to reach it: `database: postgresql://…` in the
/// collector's configuration, with `database-password-file:` and `database-tls:` beside it.
///
/// Accepted forms (percent-escapes allowed in the user and database names):
/// - `postgresql://USER@HOST[:PORT]/DBNAME` — TCP (IPv6 hosts in brackets), port 5432 by default;
/// - `postgresql://USER@[:PORT]/DBNAME?host=/run/postgresql` — the server's unix socket in that folder.
/// A password in the URL is refused: it belongs in a file only its owner can read.
public struct PostgresSettings: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket file itself (`FOLDER/.s.PGSQL.PORT`).
        case socket(path: String)
    }

    public var endpoint: Endpoint
    public var user: String
    public var database: String
    /// `database-password-file:`; without it, `PGPASSFILE` (or `~/.pgpass`) is looked up.
    public var passwordFile: String?
    public var tls: PostgresTLSMode
    /// `database-ca-file:`: the certificates (PEM) that verify the server; the system's by default.
    public var caFile: String?

    public init(endpoint: Endpoint, user: String, database: String, passwordFile: String? = nil,
                tls: PostgresTLSMode = .verifyFull, caFile: String? = nil) {
        self.endpoint = endpoint
        self.user = user
        self.database = database
        self.passwordFile = passwordFile
        self.tls = tls
        self.caFile = caFile
    }

    /// Whether `database:` names PostgreSQL rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// For logs and messages: the URL without anything secret.
    public var displayURL: String {
        switch endpoint {
        case .tcp(let host, let port):
            return "postgresql://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
        case .socket(let path):
            return "postgresql://\(user)@/\(database) (socket \(path))"
        }
    }

    /// Parses the URL; the error says what is wrong and what is allowed (a phrase for the config reader).
    public static func parse(url text: String) -> Result<PostgresSettings, PostgresURLError> {
        func fail(_ message: String) -> Result<PostgresSettings, PostgresURLError> { .failure(PostgresURLError(message)) }
        let form = "expected postgresql://USER@HOST[:PORT]/DBNAME or postgresql://USER@/DBNAME?host=/socket/folder"
        guard text.utf8.count <= 2048 else { return fail("the URL is longer than 2048 bytes") }
        guard let schemeEnd = text.range(of: "://"), isURL(text) else { return fail(form) }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { return fail("the database name is missing; \(form)") }
        let authority = rest[..<slash]
        guard let databaseName = rest[rest.index(after: slash)...].removingPercentEncoding, !databaseName.isEmpty,
              !databaseName.contains("/") else {
            return fail("the database name is missing or not one name; \(form)")
        }
        guard let at = authority.lastIndex(of: "@") else { return fail("the user is missing; \(form)") }
        let userInfo = authority[..<at]
        if userInfo.contains(":") {
            return fail("a password in the URL is not accepted; put it in database-password-file (mode 0600) or PGPASSFILE")
        }
        guard let user = userInfo.removingPercentEncoding, !user.isEmpty else { return fail("the user is missing; \(form)") }
        var hostPort = authority[authority.index(after: at)...]
        var host = ""
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return fail("an IPv6 host lacks its closing ]") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            hostPort = hostPort[hostPort.index(after: close)...]
        } else {
            let end = hostPort.firstIndex(of: ":") ?? hostPort.endIndex
            host = String(hostPort[..<end])
            hostPort = hostPort[end...]
        }
        var port = 5432
        if !hostPort.isEmpty {
            guard hostPort.hasPrefix(":"), let number = Int(hostPort.dropFirst()), (1...65_535).contains(number) else {
                return fail("the port must be a whole number in 1...65535")
            }
            port = number
        }
        var socketFolder: String?
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count == 2 ? parts[1].removingPercentEncoding ?? "" : ""
            switch name {
            case "host":
                guard value.hasPrefix("/") else { return fail("host= must be the absolute path of the server's socket folder") }
                socketFolder = value
            default:
                return fail("the URL parameter \(name) is not supported; allowed: host (the socket folder)")
            }
        }
        if let socketFolder {
            guard host.isEmpty else { return fail("give either a host or ?host=/socket/folder, not both") }
            let folder = socketFolder.hasSuffix("/") ? String(socketFolder.dropLast()) : socketFolder
            return .success(PostgresSettings(endpoint: .socket(path: "\(folder)/.s.PGSQL.\(port)"), user: user,
                                             database: databaseName, tls: .disable))
        }
        guard !host.isEmpty else { return fail("the host is missing; \(form)") }
        return .success(PostgresSettings(endpoint: .tcp(host: host, port: port), user: user, database: databaseName))
    }
}

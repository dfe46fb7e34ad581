import Foundation

/// The password for PostgreSQL: the first line of `database-password-file:`, else the matching line
/// of `PGPASSFILE` (or `~/.pgpass`) in libpq's format `host:port:database:user:password`
/// (`*` matches anything, `\:` and `\\` escape); nil when neither gives one (peer or trust auth).
enum PostgresPassword {
    static func resolve(_ settings: PostgresSettings,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws(CollectorConfigError) -> String? {
        if let file = settings.passwordFile {
            let text = try SecretFile.read(file, what: "database-password-file \(file)")
            let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let password = line.hasSuffix("\r") ? String(line.dropLast()) : line
            guard !password.isEmpty else {
                throw CollectorConfigError("database-password-file \(file) is empty; its first line is the password")
            }
            return password
        }
        let explicit = environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 }
        let path = explicit ?? environment["HOME"].map { $0 + "/.pgpass" }
        guard let path else { return nil }
        // libpq skips a missing ~/.pgpass; a PGPASSFILE that is named must be there.
        if explicit == nil, !FileManager.default.fileExists(atPath: path) { return nil }
        let text = try SecretFile.read(path, what: explicit != nil ? "PGPASSFILE \(path)" : path)
        return match(text, settings)
    }

    /// The password of the first line matching these settings.
    static func match(_ text: String, _ settings: PostgresSettings) -> String? {
        let (host, port): (String, String) = switch settings.endpoint {
        case .tcp(let host, let port): (host, String(port))
        case .socket(let path): ("localhost", path.split(separator: ".").last.map(String.init) ?? "5432")
        }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") { continue }
            let fields = split(line.hasSuffix("\r") ? String(line.dropLast()) : String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, port, settings.database, settings.user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// A pgpass line's fields, `\:` and `\\` unescaped (the password field keeps any further colons).
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}

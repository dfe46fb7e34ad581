import SmileyCore
import Foundation
import SmileyConfig
import Yams

/// A configuration problem of smiley-collector (exit status 78).
public struct CollectorConfigError: UserFacingError, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
    /// Every problem of the configuration file, one per line in file order (as for smiley.yaml).
    public init(_ error: ConfigError) { self.description = error.description }
    public var exitCode: Int32 { 78 }
}

/// `smiley-collector.yaml`:
///
/// ```yaml
/// host: 127.0.0.1          # address to listen on (default 127.0.0.1; 0.0.0.0 for all)
/// port: 8080               # default 8080; 0 = any free port
/// database: collector.sqlite  # a SQLite file, or PostgreSQL: postgresql://USER@HOST:PORT/DBNAME
///                          #   (or postgresql://USER@/DBNAME?host=/run/postgresql for its socket)
/// database-password-file: pg-password  # PostgreSQL's password (first line; mode 0600, owned by the
///                          #   collector's user); without it PGPASSFILE or ~/.pgpass
/// database-tls: verify-full  # PostgreSQL over TCP: verify-full (default) or disable
/// database-ca-file: ca.pem # the certificates that verify PostgreSQL's (default: the system's)
/// tokens-file: tokens      # legacy: lines `terminal-id token`, mode 0600 (optional; credentials live in
///                          #   the database: smiley-collector token add / token import)
/// max-body-bytes: 33554432 # largest request body, after decompression (default 32 MiB)
/// max-heartbeat-bytes: 32768   # largest heartbeat, after decompression (default 32 KiB)
/// max-connections: 2048        # open connections at most; more wait until one closes
/// idle-timeout-seconds: 30     # a silent connection, or a request head not complete by then, is closed
/// max-concurrent-bodies: 8     # bodies read and decompressed at once; one more is answered 503
/// terminal-heartbeat-seconds: 900  # the terminals' heartbeat-seconds: /v1/fleet/terminals counts missed ones by it
/// tls-certificate: cert.pem  # serve https: the certificate chain (PEM) …
/// tls-key: key.pem           # … and its private key (PEM); both or neither
/// ```
/// Relative paths resolve against the file's folder. Unknown keys are errors. It is read with
/// smiley.yaml's reader (SmileyConfig's ``SectionReader``): every problem at once, each located.
public struct CollectorConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: String
    /// The legacy tokens file; nil when every credential is in the database.
    public var tokensFile: String?
    public var maxBodyBytes: Int
    /// Connections, timeouts, bodies at once, the heartbeat's size.
    public var limits: CollectorLimits
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// How often terminals send heartbeats (their `upstream.heartbeat-seconds`).
    public var terminalHeartbeatSeconds: Int
    /// Set when `database:` is a `postgresql://` URL (with the `database-…` keys beside it).
    public var postgres: PostgresSettings?

    public init(host: String = "127.0.0.1", port: Int = 8080, database: String, tokensFile: String? = nil,
                maxBodyBytes: Int = 32 * 1024 * 1024, limits: CollectorLimits = CollectorLimits(),
                tlsCertificate: String? = nil, tlsKey: String? = nil, postgres: PostgresSettings? = nil,
                terminalHeartbeatSeconds: Int = 900) {
        self.terminalHeartbeatSeconds = terminalHeartbeatSeconds
        self.limits = limits
        self.postgres = postgres
        self.host = host
        self.port = port
        self.database = database
        self.tokensFile = tokensFile
        self.maxBodyBytes = maxBodyBytes
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
    }

    /// The certificate and key when https is configured.
    public var tls: (certificate: String, key: String)? {
        guard let tlsCertificate, let tlsKey else { return nil }
        return (tlsCertificate, tlsKey)
    }

    /// The keys of `smiley-collector.yaml`, declared once.
    enum Key {
        static let host = ConfigKey.value("host", allowed: "an address", default: "`\(defaults.host)`",
                                          help: "address to listen on; 0.0.0.0 for all")
        static let port = ConfigKey.integer("port", 0...65_535, "", note: "0 = any free port",
                                            default: defaults.port, help: "TCP port to listen on")
        static let database = ConfigKey.value("database", allowed: "a path, or postgresql://USER@HOST:PORT/DBNAME",
                                              default: "— (required)",
                                              help: "the SQLite file to store samples in, or a PostgreSQL database")
        static let databasePasswordFile = ConfigKey.value("database-password-file", allowed: "a path; mode 0600, the collector's own",
                                                          default: "— (PGPASSFILE)", help: "PostgreSQL's password, its first line")
        static let databaseTLS = ConfigKey.value("database-tls", allowed: "verify-full or disable", default: "`verify-full`",
                                                 help: "TLS to PostgreSQL over TCP, the server's certificate and name verified")
        static let databaseCAFile = ConfigKey.value("database-ca-file", allowed: "a path (PEM)", default: "— (the system's)",
                                                    help: "the certificates that verify PostgreSQL's")
        static let tokensFile = ConfigKey.value("tokens-file", allowed: "a path; the file's mode 0600",
                                                default: "— (none: credentials in the database only)",
                                                help: "legacy: lines `terminal-id token` (see smiley-collector token import)")
        static let maxBodyBytes = ConfigKey.integer("max-body-bytes", 1024...(1 << 30), "bytes",
                                                    default: defaults.maxBodyBytes,
                                                    help: "largest request body, after decompression")
        static let maxHeartbeatBytes = ConfigKey.integer("max-heartbeat-bytes", 1024...(1 << 20), "bytes",
                                                         default: defaults.limits.maxHeartbeatBytes,
                                                         help: "largest heartbeat, after decompression (413 beyond)")
        static let maxConnections = ConfigKey.integer("max-connections", 1...1_000_000, "",
                                                      default: defaults.limits.maxConnections,
                                                      help: "open connections at most; more wait until one closes (keep LimitNOFILE above it)")
        static let idleTimeoutSeconds = ConfigKey.integer("idle-timeout-seconds", 1...3600, "s",
                                                          default: Int(defaults.limits.idleTimeout.components.seconds),
                                                          help: "a connection silent this long, or whose request head is not complete by then, is closed")
        static let maxConcurrentBodies = ConfigKey.integer("max-concurrent-bodies", 1...4096, "",
                                                           default: defaults.limits.maxConcurrentBodies,
                                                           help: "request bodies read and decompressed at once; one more is answered 503 with Retry-After")
        static let terminalHeartbeatSeconds = ConfigKey.integer("terminal-heartbeat-seconds", 10...86_400, "s",
                                                                default: defaults.terminalHeartbeatSeconds,
                                                                help: "how often terminals send heartbeats (their heartbeat-seconds); the fleet's terminal states count missed ones by it")
        static let tlsCertificate = ConfigKey.value("tls-certificate", allowed: "a path (PEM)", default: "—",
                                                    help: "serve https: the certificate chain")
        static let tlsKey = ConfigKey.value("tls-key", allowed: "a path (PEM)", default: "—",
                                            help: "serve https: the private key (with tls-certificate)")

        static let all = [host, port, database, databasePasswordFile, databaseTLS, databaseCAFile, tokensFile, maxBodyBytes,
                          maxHeartbeatBytes, maxConnections, idleTimeoutSeconds, maxConcurrentBodies, terminalHeartbeatSeconds, tlsCertificate, tlsKey]
    }

    static let keys = Key.all.map(\.name)
    /// The defaults of every key but `database` (which has none).
    static let defaults = CollectorConfiguration(database: "")

    public static func load(path: String) throws(CollectorConfigError) -> CollectorConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CollectorConfigError("\(path): cannot read the configuration file (missing, unreadable or not UTF-8)")
        }
        let folder = URL(fileURLWithPath: path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
            .deletingLastPathComponent().path
        return try parse(text, path: path, folder: folder)
    }

    /// Reads the file with smiley.yaml's reader (``SectionReader``): every problem is reported at
    /// once, each with its line, column and key.
    public static func parse(_ text: String, path: String, folder: String) throws(CollectorConfigError) -> CollectorConfiguration {
        let root: Node?
        do {
            root = try ConfigDocument.compose(yaml: text, path: path)
        } catch {
            throw CollectorConfigError(error)
        }
        guard let root, case .mapping = root else {
            throw CollectorConfigError("\(path): expected a mapping with keys \(keys.joined(separator: ", "))")
        }
        do {
            return try ConfigDocument.read(root, path: path, directory: folder, keys: Key.all) {
                section throws(ConfigError) in try decode(section, folder: folder)
            }
        } catch {
            throw CollectorConfigError(error)
        }
    }

    static func decode(_ section: SectionReader, folder: String) throws(ConfigError) -> CollectorConfiguration {
        func text(_ key: ConfigKey) throws(ConfigError) -> (text: String, node: Node)? {
            try section.scalar(key, expected: "a single value")
        }
        func resolve(_ value: String) -> String { value.hasPrefix("/") ? value : folder + "/" + value }
        func integer(_ key: ConfigKey, _ fallback: Int) throws(ConfigError) -> Int {
            guard case let (text, node)? = try text(key), let range = key.range else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                try section.report(key, at: node, "\"\(text)\" is not allowed; expected a whole number in "
                    + "\(range.lowerBound)...\(range.upperBound)")
                return fallback
            }
            return number
        }
        func required(_ key: ConfigKey, _ what: String) throws(ConfigError) -> String {
            if let (value, _) = try text(key), !value.isEmpty { return value }
            if !section.failed(key) { try section.reportMissing(key, "required (\(what))") }
            return ""
        }
        let database = try required(Key.database, "the SQLite file to store samples in")
        var tokens: String?
        if case let (given, node)? = try text(Key.tokensFile) {
            if given.isEmpty { try section.report(Key.tokensFile, at: node, "must not be empty; leave the key out for none") }
            tokens = given
        }
        var host = defaults.host
        if case let (given, node)? = try text(Key.host) {
            if given.isEmpty { try section.report(Key.host, at: node, "must not be empty") }
            host = given
        }
        let certificate = try text(Key.tlsCertificate)?.text, key = try text(Key.tlsKey)?.text
        if (certificate == nil) != (key == nil), !section.failed(Key.tlsCertificate), !section.failed(Key.tlsKey),
           let node = section.value(Key.tlsCertificate) ?? section.value(Key.tlsKey) {
            try section.report(certificate == nil ? Key.tlsKey : Key.tlsCertificate, at: node,
                               "tls-certificate and tls-key go together: give both for https, or neither for http")
        }
        let postgres = try decodePostgres(section, database: database, resolve: resolve)
        return CollectorConfiguration(
            host: host, port: try integer(Key.port, defaults.port),
            database: postgres == nil && !database.isEmpty ? resolve(database) : database, tokensFile: tokens.map(resolve),
            maxBodyBytes: try integer(Key.maxBodyBytes, defaults.maxBodyBytes),
            limits: CollectorLimits(
                maxConnections: try integer(Key.maxConnections, defaults.limits.maxConnections),
                idleTimeout: .seconds(try integer(Key.idleTimeoutSeconds, Int(defaults.limits.idleTimeout.components.seconds))),
                maxConcurrentBodies: try integer(Key.maxConcurrentBodies, defaults.limits.maxConcurrentBodies),
                maxHeartbeatBytes: try integer(Key.maxHeartbeatBytes, defaults.limits.maxHeartbeatBytes)),
            tlsCertificate: certificate.map(resolve), tlsKey: key.map(resolve), postgres: postgres,
            terminalHeartbeatSeconds: try integer(Key.terminalHeartbeatSeconds, defaults.terminalHeartbeatSeconds))
    }

    /// The PostgreSQL settings when `database:` is a URL; the `database-…` keys are refused beside a SQLite path.
    static func decodePostgres(_ section: SectionReader, database: String,
                               resolve: (String) -> String) throws(ConfigError) -> PostgresSettings? {
        let passwordFile = try section.scalar(Key.databasePasswordFile, expected: "a single value")
        let tls = try section.scalar(Key.databaseTLS, expected: "a single value")
        let caFile = try section.scalar(Key.databaseCAFile, expected: "a single value")
        guard PostgresSettings.isURL(database), let node = section.value(Key.database) else {
            for (key, given) in [(Key.databasePasswordFile, passwordFile), (Key.databaseTLS, tls), (Key.databaseCAFile, caFile)] {
                if let given {
                    try section.report(key, at: given.node, "applies to PostgreSQL only; database: is a SQLite file here")
                }
            }
            return nil
        }
        var settings: PostgresSettings
        switch PostgresSettings.parse(url: database) {
        case .success(let parsed): settings = parsed
        case .failure(let error):
            try section.report(Key.database, at: node, error.description)
            return nil
        }
        settings.passwordFile = passwordFile.map { resolve($0.text) }
        settings.caFile = caFile.map { resolve($0.text) }
        if let (text, tlsNode) = tls {
            guard let mode = PostgresTLSMode(rawValue: text) else {
                try section.report(Key.databaseTLS, at: tlsNode, "\"\(text)\" is not allowed; expected verify-full or disable "
                    + "(unverified TLS is not offered)")
                return settings
            }
            if case .socket = settings.endpoint, mode != .disable {
                try section.report(Key.databaseTLS, at: tlsNode, "a unix socket does not use TLS; remove database-tls or use disable")
            }
            settings.tls = mode
        }
        if case .socket = settings.endpoint, let caFile {
            try section.report(Key.databaseCAFile, at: caFile.node, "a unix socket does not use TLS; remove database-ca-file")
        }
        if settings.tls == .disable, case .tcp = settings.endpoint, let caFile {
            try section.report(Key.databaseCAFile, at: caFile.node, "has no use with database-tls: disable")
        }
        return settings
    }
}

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
/// database: collector.sqlite
/// tokens-file: tokens      # lines `terminal-id token`, mode 0600
/// max-body-bytes: 33554432 # largest request body, after decompression (default 32 MiB)
/// tls-certificate: cert.pem  # serve https: the certificate chain (PEM) …
/// tls-key: key.pem           # … and its private key (PEM); both or neither
/// ```
/// Relative paths resolve against the file's folder. Unknown keys are errors. It is read with
/// smiley.yaml's reader (SmileyConfig's ``SectionReader``): every problem at once, each located.
public struct CollectorConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: String
    public var tokensFile: String
    public var maxBodyBytes: Int
    public var tlsCertificate: String?
    public var tlsKey: String?

    public init(host: String = "127.0.0.1", port: Int = 8080, database: String, tokensFile: String,
                maxBodyBytes: Int = 32 * 1024 * 1024, tlsCertificate: String? = nil, tlsKey: String? = nil) {
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
        static let database = ConfigKey.value("database", allowed: "a path", default: "— (required)",
                                              help: "the SQLite file to store samples in")
        static let tokensFile = ConfigKey.value("tokens-file", allowed: "a path; the file's mode 0600",
                                                default: "— (required)", help: "lines `terminal-id token`")
        static let maxBodyBytes = ConfigKey.integer("max-body-bytes", 1024...(1 << 30), "bytes",
                                                    default: defaults.maxBodyBytes,
                                                    help: "largest request body, after decompression")
        static let tlsCertificate = ConfigKey.value("tls-certificate", allowed: "a path (PEM)", default: "—",
                                                    help: "serve https: the certificate chain")
        static let tlsKey = ConfigKey.value("tls-key", allowed: "a path (PEM)", default: "—",
                                            help: "serve https: the private key (with tls-certificate)")

        static let all = [host, port, database, tokensFile, maxBodyBytes, tlsCertificate, tlsKey]
    }

    static let keys = Key.all.map(\.name)
    /// The defaults of every key but `database` and `tokens-file` (which have none).
    static let defaults = CollectorConfiguration(database: "", tokensFile: "")

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
        let tokens = try required(Key.tokensFile, "lines `terminal-id token`, mode 0600")
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
        return CollectorConfiguration(
            host: host, port: try integer(Key.port, defaults.port), database: resolve(database), tokensFile: resolve(tokens),
            maxBodyBytes: try integer(Key.maxBodyBytes, defaults.maxBodyBytes),
            tlsCertificate: certificate.map(resolve), tlsKey: key.map(resolve))
    }
}

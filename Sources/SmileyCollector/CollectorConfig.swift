import Foundation
import Yams

/// A configuration problem of smiley-collector (exit status 78).
public struct CollectorConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
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
/// Relative paths resolve against the file's folder. Unknown keys are errors.
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

    static let keys = ["host", "port", "database", "tokens-file", "max-body-bytes", "tls-certificate", "tls-key"]

    public static func load(path: String) throws(CollectorConfigError) -> CollectorConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CollectorConfigError("\(path): cannot read the configuration file (missing, unreadable or not UTF-8)")
        }
        let folder = URL(fileURLWithPath: path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
            .deletingLastPathComponent().path
        return try parse(text, path: path, folder: folder)
    }

    public static func parse(_ text: String, path: String, folder: String) throws(CollectorConfigError) -> CollectorConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw CollectorConfigError("\(path): YAML syntax error: \(error)")
        }
        guard let root, case .mapping(let mapping) = root else {
            throw CollectorConfigError("\(path): expected a mapping with keys \(keys.joined(separator: ", "))")
        }
        var values: [String: (String, Int?)] = [:]
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            let line = keyNode.mark?.line
            let at = line.map { "\(path):\($0)" } ?? path
            guard keys.contains(key) else {
                throw CollectorConfigError("\(at): \(key): unknown key; allowed keys: \(keys.joined(separator: ", "))")
            }
            guard case .scalar(let scalar) = valueNode else {
                throw CollectorConfigError("\(at): \(key): expected a single value")
            }
            values[key] = (scalar.string, line)
        }
        func at(_ key: String) -> String { values[key]?.1.map { "\(path):\($0)" } ?? path }
        func resolve(_ value: String) -> String { value.hasPrefix("/") ? value : folder + "/" + value }
        func integer(_ key: String, _ range: ClosedRange<Int>, _ fallback: Int) throws(CollectorConfigError) -> Int {
            guard let (text, _) = values[key] else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw CollectorConfigError("\(at(key)): \(key): \"\(text)\" is not allowed; expected a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        guard let database = values["database"]?.0, !database.isEmpty else {
            throw CollectorConfigError("\(path): database: required (the SQLite file to store samples in)")
        }
        guard let tokens = values["tokens-file"]?.0, !tokens.isEmpty else {
            throw CollectorConfigError("\(path): tokens-file: required (lines `terminal-id token`, mode 0600)")
        }
        let host = values["host"]?.0 ?? "127.0.0.1"
        guard !host.isEmpty else { throw CollectorConfigError("\(at("host")): host: must not be empty") }
        let certificate = values["tls-certificate"]?.0, key = values["tls-key"]?.0
        if (certificate == nil) != (key == nil) {
            throw CollectorConfigError("\(path): tls-certificate and tls-key go together: give both for https, or neither for http")
        }
        return CollectorConfiguration(
            host: host, port: try integer("port", 0...65535, 8080), database: resolve(database), tokensFile: resolve(tokens),
            maxBodyBytes: try integer("max-body-bytes", 1024...(1 << 30), 32 * 1024 * 1024),
            tlsCertificate: certificate.map(resolve), tlsKey: key.map(resolve))
    }
}

import Foundation
import SmileyTestSupport
import Testing
@testable import SmileyCollector
#if canImport(Glibc)
import Glibc
#endif

/// `database-tls: verify-full` against a server that takes TLS only: a private CA made with openssl.
@Suite("smiley-collector on PostgreSQL over TLS", .timeLimit(.minutes(2)))
struct PostgresTLSTests {
    /// A CA, another CA, and a server certificate for DNS name localhost (no IP address) signed by the first.
    static func makeCertificates(in folder: TemporaryFolder) async throws {
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        folder.write("ext.cnf", "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n")
        for arguments in [
            ["req", "-x509"] + ec + ["-keyout", folder.file("ca.key"), "-out", folder.file("ca.pem"), "-days", "2", "-subj", "/CN=Smiley Test CA"],
            ["req", "-x509"] + ec + ["-keyout", folder.file("other.key"), "-out", folder.file("other.pem"), "-days", "2", "-subj", "/CN=Other CA"],
            ["req"] + ec + ["-keyout", folder.file("server.key"), "-out", folder.file("server.csr"), "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", folder.file("server.csr"), "-CA", folder.file("ca.pem"), "-CAkey", folder.file("ca.key"),
             "-CAcreateserial", "-out", folder.file("server.pem"), "-days", "2", "-extfile", folder.file("ext.cnf")],
        ] {
            let result = try await runProcessAsync("/usr/bin/openssl", arguments)
            #expect(result.status == 0, "openssl \(arguments.prefix(2)): \(result.stderr)")
        }
    }

    /// A TCP port nothing listens on now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test("verify-full: connects with the server's CA; refused with another CA, for a name the certificate lacks, and without TLS")
    func verifyFull() async throws {
        let folder = TemporaryFolder()
        try await Self.makeCertificates(in: folder)
        let port = Self.freePort()
        let server = try await TestPostgres(port: port, tls: (folder.file("server.pem"), folder.file("server.key")))
        do {
            let database = try await server.createDatabase()
            func migrate(host: String, tls: PostgresTLSMode, caFile: String?) async throws -> [Int] {
                let settings = PostgresSettings(endpoint: .tcp(host: host, port: port), user: TestPostgres.user, database: database,
                                                tls: tls, caFile: caFile)
                return try await PostgresCollectorStorage(settings: settings, logger: StorageBackend.quiet, environment: [:],
                                                          clock: ContinuousClock()).migrate()
            }
            #expect(try await migrate(host: "localhost", tls: .verifyFull, caFile: folder.file("ca.pem")) == PostgresSchema.migrations.map(\.version))
            for (host, tls, caFile, says) in [
                ("localhost", PostgresTLSMode.verifyFull, folder.file("other.pem") as String?, "CERTIFICATE_VERIFY_FAILED"),
                ("127.0.0.1", .verifyFull, folder.file("ca.pem"), "failedToValidateHostname"),
                ("localhost", .disable, nil, "no encryption"),
            ] {
                do {
                    _ = try await migrate(host: host, tls: tls, caFile: caFile)
                    Issue.record("connected to \(host) with \(tls), CA \(caFile ?? "-")")
                } catch {
                    let message = "\(error)"
                    #expect(message.hasPrefix("cannot connect to the database postgresql://smiley@\(host):\(port)/\(database): "))
                    #expect(message.contains(says), "\(host) \(tls): \(message)")
                    #expect(tls == .disable || message.contains("must chain to database-ca-file"), "\(message)")
                }
            }
            // A CA file that is not there is a configuration error, named.
            #expect(throws: CollectorConfigError.self) {
                _ = try PostgresCollectorStorage(
                    settings: PostgresSettings(endpoint: .tcp(host: "localhost", port: port), user: "u", database: "d",
                                               caFile: folder.file("missing.pem")),
                    logger: StorageBackend.quiet, environment: [:], clock: ContinuousClock())
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }
}

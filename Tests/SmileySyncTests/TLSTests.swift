import Foundation
import SmileyCollector
import Testing
@testable import SmileyStore
@testable import SmileySync

/// A private CA and a certificate for localhost / 127.0.0.1 signed by it, made with openssl.
struct TestPKI {
    let caCertificate: String
    let serverCertificate: String
    let serverKey: String
    let otherCA: String

    static let available: Bool = shell(["openssl", "version"])

    init(folder: TemporaryFolder) throws {
        func openssl(_ arguments: [String]) throws {
            guard shell(["openssl"] + arguments) else {
                throw TestPKIError(step: arguments.prefix(2).joined(separator: " "))
            }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-keyout", folder.file("ca.key"), "-out", folder.file("ca.pem"), "-days", "2",
                                               "-subj", "/CN=Smiley Test CA"])
        try openssl(["req", "-x509"] + ec + ["-keyout", folder.file("other.key"), "-out", folder.file("other.pem"), "-days", "2",
                                               "-subj", "/CN=Some Other CA"])
        try openssl(["req"] + ec + ["-keyout", folder.file("server.key"), "-out", folder.file("server.csr"), "-subj", "/CN=localhost"])
        folder.write("ext.cnf", "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
        try openssl(["x509", "-req", "-in", folder.file("server.csr"), "-CA", folder.file("ca.pem"), "-CAkey", folder.file("ca.key"),
                     "-CAcreateserial", "-out", folder.file("server.pem"), "-days", "2", "-extfile", folder.file("ext.cnf")])
        caCertificate = folder.file("ca.pem")
        serverCertificate = folder.file("server.pem")
        serverKey = folder.file("server.key")
        otherCA = folder.file("other.pem")
    }
}

struct TestPKIError: Error {
    var step: String
}

@Suite("TLS: verification always on; ca-file adds a trust root")
struct TLSTests {
    @Test("https with a private CA: refused without ca-file (or with another CA), delivered with it",
          .enabled(if: TestPKI.available, "needs the openssl command"))
    func privateCA() async throws {
        let folder = TemporaryFolder()
        let pki = try TestPKI(folder: folder)
        let token = "tok-" + UUID().uuidString
        let storage = try RecordingStorage(path: folder.file("collector.sqlite"))
        let api = CollectorAPI(storage: storage, tokens: TokenTable(pairs: [(terminal: "terminal-a", token: token)]), logger: quietLogger)
        let running = try await RunningCollector.start(api: api, tls: (pki.serverCertificate, pki.serverKey))
        defer { Task { await running.stop() } }
        #expect(running.baseURL.hasPrefix("https://127.0.0.1:"))
        let terminal = try TerminalDatabase(folder: folder)
        try terminal.seed(4)
        let batch = try #require(try await terminal.store.nextBatch(BatchSelection(limit: 10), nowMs: wallNow()))

        for caFile in [nil, pki.otherCA] {
            let client = try UploadClient(endpoint: UploadEndpoint(baseURL: running.baseURL, token: BearerToken(unchecked: token),
                                                                   caFile: caFile, connectTimeout: .seconds(2)), logger: quietLogger)
            let outcome = await client.send(batch, nowMs: wallNow)
            await client.shutdown()
            guard case .retry(let reason) = outcome else {
                Issue.record("TLS without the right root was not refused: \(outcome)")
                continue
            }
            #expect(reason.kind == .network)
            #expect(reason.message.lowercased().contains("certificate") || reason.message.contains("handshake"), "\(reason.message)")
        }
        #expect(try await storage.inner.storedSamples().isEmpty)

        let trusted = try UploadClient(endpoint: UploadEndpoint(baseURL: running.baseURL, token: BearerToken(unchecked: token),
                                                                caFile: pki.caCertificate), logger: quietLogger)
        let outcome = await trusted.send(batch, nowMs: wallNow)
        await trusted.shutdown()
        guard case .delivered(_, let receipt) = outcome else {
            Issue.record("not delivered over https with ca-file: \(outcome)")
            return
        }
        #expect(receipt.accepted == 4)
    }

    @Test("a ca-file that is not PEM is a configuration error naming the file")
    func badCAFile() throws {
        let folder = TemporaryFolder()
        let path = folder.write("ca.pem", "not a certificate\n")
        #expect {
            _ = try UploadClient(endpoint: UploadEndpoint(baseURL: "https://c.example", token: BearerToken(unchecked: "x"), caFile: path),
                                 logger: quietLogger)
        } throws: { error in
            (error as? UploadClientError).map { $0.description.contains("upstream.ca-file \(path)") && $0.exitCode == 78 } ?? false
        }
    }
}

import Foundation
import SmileyTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real smiley-collector executable: every failure to start is one line and a sysexits status,
/// reported in one place.
@Suite("smiley-collector as a process", .timeLimit(.minutes(2)))
struct CollectorProcessTests {
    func setup(_ folder: TemporaryFolder, database: String, port: Int) -> String {
        let tokens = folder.write("tokens", "terminal-a 0123456789abcdef0123\n")
        chmod(tokens, 0o600)
        return folder.write("collector.yaml", "database: \(database)\ntokens-file: \(tokens)\nhost: 127.0.0.1\nport: \(port)\n")
    }

    @Test("a bad configuration is exit 78, a database that will not open 74, a port in use 69")
    func startFailures() async throws {
        let folder = TemporaryFolder()
        let bad = folder.write("bad.yaml", "prot: 80\n")
        let config = try await runProcessAsync(Binaries.collector, ["--config", bad])
        #expect(config.status == 78, "\(config.stderr)")
        #expect(config.stderr.hasPrefix("smiley-collector: error: \(bad):1:1: prot: unknown key"), "\(config.stderr)")

        // A folder where the database file should be.
        try FileManager.default.createDirectory(atPath: folder.file("db-is-a-folder"), withIntermediateDirectories: true)
        let database = try await runProcessAsync(Binaries.collector,
                                                 ["--config", setup(folder, database: folder.file("db-is-a-folder"), port: 0)])
        #expect(database.status == 74, "\(database.stderr)")
        #expect(database.stderr.hasPrefix("smiley-collector: error: cannot open the database"), "\(database.stderr)")

        // A port something else listens on.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(listen(fd, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let busy = try await runProcessAsync(Binaries.collector,
                                             ["--config", setup(folder, database: folder.file("c.sqlite"), port: port)])
        #expect(busy.status == 69, "\(busy.stderr)")
        #expect(busy.stderr.hasPrefix("smiley-collector: error: cannot listen on 127.0.0.1:\(port)"), "\(busy.stderr)")
    }
}

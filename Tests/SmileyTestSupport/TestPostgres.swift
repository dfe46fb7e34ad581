import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for tests (Debian's `postgresql`): a cluster made with initdb in a
/// temporary folder, listening only on a unix socket there, trusting local connections as the
/// superuser `smiley`. As root the server runs as the `postgres` user (it refuses root). Call
/// ``shutdown()`` when done; ``stop()`` and ``start()`` take it away and bring it back.
public final class TestPostgres: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The cluster's folder; the socket is `folder/.s.PGSQL.5432`.
    public let folder: String
    private let binaries: String
    private let runAs: String?
    /// The port (of the socket's name, and on 127.0.0.1 when ``listensOnLoopback``).
    public let port: Int
    /// Also listening on 127.0.0.1, where only TLS connections are accepted.
    public let listensOnLoopback: Bool
    public static let user = "smiley"
    /// Server settings (`name=value`) given after the defaults, so they override them.
    private let settings: [String]

    private var data: String { folder + "/data" }

    /// initdb and start: on the unix socket only, or with `tls` (a certificate and its key, PEM)
    /// also on 127.0.0.1:`port`, which then takes TLS connections only (`hostssl` in pg_hba.conf).
    /// The tests' server runs without fsync; `settings` (`fsync=on`, …) override that and the rest.
    public init(port: Int = 5432, tls: (certificate: String, key: String)? = nil, settings: [String] = []) async throws {
        binaries = try Self.findBinaries()
        self.settings = settings
        self.port = port
        listensOnLoopback = tls != nil
        folder = NSTemporaryDirectory() + "smiley-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0 {
            guard let account = getpwnam("postgres") else {
                throw Failure(description: "running as root, the test server needs the `postgres` user (Debian's postgresql package makes it)")
            }
            chown(folder, account.pointee.pw_uid, account.pointee.pw_gid)
            runAs = "postgres"
        } else {
            runAs = nil
        }
        try await run("initdb", ["-D", data, "-U", Self.user, "-A", "trust", "-E", "UTF8", "--no-locale", "-N"])
        if let tls {
            // The server reads its key only when its own user owns it, closed to others.
            let fileManager = FileManager.default
            for (source, name) in [(tls.certificate, "server.crt"), (tls.key, "server.key")] {
                try? fileManager.removeItem(atPath: data + "/" + name)
                try fileManager.copyItem(atPath: source, toPath: data + "/" + name)
                chmod(data + "/" + name, 0o600)
                if getuid() == 0, let account = getpwnam("postgres") {
                    chown(data + "/" + name, account.pointee.pw_uid, account.pointee.pw_gid)
                }
            }
            try "local all all trust\nhostssl all all 127.0.0.1/32 trust\n".write(toFile: data + "/pg_hba.conf", atomically: false,
                                                                                  encoding: .utf8)
        }
        try await start()
    }

    /// Debian's server programs, the newest version installed.
    static func findBinaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted()
        guard let newest = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/pg_ctl") else {
            throw Failure(description: "no PostgreSQL server under \(root)/*/bin: install Debian's postgresql (`make deps`)")
        }
        return "\(root)/\(newest)/bin"
    }

    /// `postgresql://smiley@/NAME?host=FOLDER`, as the collector's `database:` takes it.
    public func url(database: String) -> String {
        "postgresql://\(Self.user)@\(port == 5432 ? "" : ":\(port)")/\(database)?host=\(folder)"
    }

    public func start() async throws {
        // Through Python's subprocess, which closes every other descriptor: the server would
        // otherwise keep this process's pipes open and a reader of one would wait forever.
        try await run("pg_ctl", ["-D", data, "-l", folder + "/server.log", "-w", "-s",
                                 "-o", "-k \(folder) -p \(port) -c fsync=off -c full_page_writes=off "
                                    + (listensOnLoopback ? "-c listen_addresses=127.0.0.1 -c ssl=on" : "-c listen_addresses=''")
                                    + settings.map { " -c " + $0 }.joined(),
                                 "start"], closingDescriptors: true)
    }

    /// Stops the server at once (connections are cut, as when a database host goes away).
    public func stop() async throws {
        try await run("pg_ctl", ["-D", data, "-w", "-s", "-m", "fast", "stop"])
    }

    /// A new, empty database; its name.
    public func createDatabase() async throws -> String {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try await run("createdb", ["-h", folder, "-p", String(port), "-U", Self.user, name], asServer: false)
        return name
    }

    /// What psql prints for `sql` (unaligned, tuples only).
    public func psql(_ database: String, _ sql: String) async throws -> String {
        try await run("psql", ["-h", folder, "-p", String(port), "-U", Self.user, "-d", database, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                      asServer: false).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The server's main process (its postmaster.pid's first line), nil when not running.
    public var serverProcessIdentifier: Int32? {
        guard let text = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// Stops the server and removes its folder.
    public func shutdown() async {
        _ = try? await run("pg_ctl", ["-D", data, "-w", "-s", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    @discardableResult
    private func run(_ program: String, _ arguments: [String], asServer: Bool = true,
                     closingDescriptors: Bool = false) async throws -> String {
        var command = [binaries + "/" + program] + arguments
        if asServer, let runAs { command = ["/usr/sbin/runuser", "-u", runAs, "--"] + command }
        if closingDescriptors {
            command = ["/usr/bin/python3", "-c", "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], "
                       + "stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, close_fds=True).returncode)"] + command
        }
        let result = try await runProcessAsync(command[0], Array(command.dropFirst()))
        guard result.status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
            throw Failure(description: "\(program) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)\(log.isEmpty ? "" : "\nserver log:\n" + log.suffix(2000))")
        }
        return result.stdout
    }
}

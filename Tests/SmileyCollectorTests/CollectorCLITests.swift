import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SmileyTestSupport
import Testing
@testable import SmileyCollector
#if canImport(Glibc)
import Glibc
#endif

/// The `site` and `token` subcommands of the real smiley-collector executable, on the SQLite file
/// a running collector serves from (no tokens-file: every credential in the database).
@Suite("smiley-collector site and token subcommands", .timeLimit(.minutes(2)))
struct CollectorCLITests {
    struct Setup {
        let folder = TemporaryFolder()
        var config: String { folder.file("collector.yaml") }
        var database: String { folder.file("c.sqlite") }

        init() {
            _ = folder.write("collector.yaml", "database: c.sqlite\nport: 0\n")
        }

        /// Runs `smiley-collector ARGS --config …`.
        func run(_ arguments: [String]) async throws -> ProcessResult {
            try await runProcessAsync(Binaries.collector, arguments + ["--config", config, "--log-level", "error"])
        }
    }

    @Test("site add and site list: stable tab-separated columns or JSON; bad data is exit 65, bad usage 64")
    func sites() async throws {
        let setup = Setup()
        let added = try await setup.run(["site", "add", "store-1", "--region", "south", "--time-zone", "Europe/Helsinki",
                                         "--opening-hours", "mon-fri 08:00-20:00, sat 09:00-18:00"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout == "ID\tREGION\tTIME-ZONE\tOPENING-HOURS\nstore-1\tsouth\tEurope/Helsinki\tmon-fri 08:00-20:00, sat 09:00-18:00\n")
        #expect(try await setup.run(["site", "add", "store-2", "--region", "north", "--time-zone", "UTC"]).status == 0)

        let again = try await setup.run(["site", "add", "store-1", "--region", "south", "--time-zone", "UTC"])
        #expect(again.status == 65)
        #expect(again.stderr == "smiley-collector: error: site store-1 exists already\n")
        let zone = try await setup.run(["site", "add", "x", "--region", "r", "--time-zone", "Mars/Olympus"])
        #expect(zone.status == 65)
        #expect(zone.stderr.contains("time zone \"Mars/Olympus\" is not in the tz database"), "\(zone.stderr)")
        let hours = try await setup.run(["site", "add", "x", "--region", "r", "--time-zone", "UTC", "--opening-hours", "mon 22:00-02:00"])
        #expect(hours.status == 65)
        #expect(hours.stderr.contains("ends before it starts"), "\(hours.stderr)")
        #expect(try await setup.run(["site", "add", "x", "--time-zone", "UTC"]).status == 64)

        let list = try await setup.run(["site", "list"])
        #expect(list.stdout == """
            ID\tREGION\tTIME-ZONE\tOPENING-HOURS
            store-1\tsouth\tEurope/Helsinki\tmon-fri 08:00-20:00, sat 09:00-18:00
            store-2\tnorth\tUTC\t-

            """)
        let json = try await setup.run(["site", "list", "--format", "json"])
        #expect(try JSONDecoder().decode([Site].self, from: Data(json.stdout.utf8)).map(\.id) == ["store-1", "store-2"])

        let config = try await runProcessAsync(Binaries.collector, ["site", "list", "--config", setup.folder.file("missing.yaml")])
        #expect(config.status == 78)
    }

    @Test("token add, list, revoke, import: the token printed once, never listed; the collector honours them at once")
    func tokens() async throws {
        let setup = Setup()
        #expect(try await setup.run(["site", "add", "a", "--region", "south", "--time-zone", "UTC"]).status == 0)
        #expect(try await setup.run(["site", "add", "b", "--region", "south", "--time-zone", "UTC"]).status == 0)

        // A collector serving the same file, without a tokens file.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.collector)
        process.arguments = ["--config", setup.config, "--log-level", "error"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let first = DataBox()
        Thread { first.set(out.fileHandleForReading.availableData) }.start()
        let line = String(decoding: try #require(await first.value()), as: UTF8.self)
        #expect(line.hasPrefix("listening http://127.0.0.1:"), "\(line)")
        let base = line.dropFirst("listening ".count).trimmingCharacters(in: .whitespacesAndNewlines)
        func get(_ path: String, token: String) async throws -> Int {
            var request = URLRequest(url: try #require(URL(string: base + path)))
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (_, response) = try await URLSession.shared.data(for: request)
            return (response as? HTTPURLResponse)?.statusCode ?? 0
        }

        let terminal = try await setup.run(["token", "add", "--terminal", "t1", "--site", "a"])
        #expect(terminal.status == 0, "\(terminal.stderr)")
        let terminalToken = terminal.stdout.trimmingCharacters(in: .newlines)
        #expect(terminalToken.count == 64 && terminalToken.allSatisfy(\.isHexDigit))
        #expect(terminal.stderr.contains("credential 1 (terminal: terminal=t1 site=a) added"), "\(terminal.stderr)")
        let viewer = try await setup.run(["token", "add", "--viewer", "--site", "a", "--region", "south"])
        let viewerToken = viewer.stdout.trimmingCharacters(in: .newlines)
        let admin = try await setup.run(["token", "add", "--admin", "--format", "json"])
        let made = try JSONSerialization.jsonObject(with: Data(admin.stdout.utf8)) as? [String: Any]
        #expect(made?["id"] as? Int == 3 && made?["kind"] as? String == "admin")
        let adminToken = try #require(made?["token"] as? String)

        for wrong in [["--terminal", "t2"], ["--viewer", "--admin"], ["--viewer"], ["--admin", "--site", "a"], [],
                      ["--terminal", "t2", "--site", "a", "--site", "b"]] {
            #expect(try await setup.run(["token", "add"] + wrong).status == 64, "\(wrong)")
        }
        let unknown = try await setup.run(["token", "add", "--terminal", "t2", "--site", "nowhere"])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.hasPrefix("smiley-collector: error: site nowhere does not exist"), "\(unknown.stderr)")
        let elsewhere = try await setup.run(["token", "add", "--terminal", "t1", "--site", "b"])
        #expect(elsewhere.status == 65)
        #expect(elsewhere.stderr == "smiley-collector: error: terminal t1 belongs to site a, not b; a terminal belongs to exactly one site\n")

        // The running collector honours them, looked up per request.
        #expect(try await get("/v1/terminals", token: adminToken) == 200)
        #expect(try await get("/v1/summary?site=a&day=2026-11-22", token: viewerToken) == 200)
        #expect(try await get("/v1/summary?site=a&day=2026-11-22", token: terminalToken) == 403)

        let list = try await setup.run(["token", "list"])
        let rows = list.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.first == ["ID", "KIND", "SCOPE", "CREATED", "REVOKED"])
        #expect(rows.dropFirst().map { $0.prefix(3) } == [["1", "terminal", "terminal=t1 site=a"], ["2", "viewer", "sites=a regions=south"],
                                                         ["3", "admin", "all"]])
        #expect(rows.dropFirst().allSatisfy { $0.count == 5 && $0[4] == "-" })

        let revoked = try await setup.run(["token", "revoke", "2"])
        #expect(revoked.status == 0 && revoked.stdout == "revoked 2\n")
        #expect(try await get("/v1/summary?site=a&day=2026-11-22", token: viewerToken) == 401)
        #expect(try await setup.run(["token", "revoke", "99"]).status == 65)
        let after = try await setup.run(["token", "list", "--format", "json"])
        let listed = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [[String: Any]]
        #expect(listed?.map { $0["revoked"] != nil } == [false, true, false])

        // The legacy tokens file, imported for site b: its tokens work as terminal credentials.
        let open = setup.folder.write("tokens", "# old file\nlegacy-1 0123456789abcdef0123\nlegacy-2 fedcba9876543210fedc\n", mode: 0o644)
        let refused = try await setup.run(["token", "import", open, "--site", "b"])
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("is open to its group or others"), "\(refused.stderr)")
        chmod(open, 0o600)
        #expect(try await setup.run(["token", "import", open, "--site", "nowhere"]).status == 65)
        let imported = try await setup.run(["token", "import", open, "--site", "b"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "legacy-1\t4\timported\nlegacy-2\t5\timported\n")
        #expect(try await setup.run(["token", "import", open, "--site", "b"]).stdout == "legacy-1\t4\tpresent\nlegacy-2\t5\tpresent\n")
        #expect(try await get("/v1/terminals", token: "0123456789abcdef0123") == 403)

        // Neither a token nor its digest is ever listed.
        let all = try await setup.run(["token", "list"]).stdout + (try await setup.run(["token", "list", "--format", "json"])).stdout
        for token in [terminalToken, viewerToken, adminToken, "0123456789abcdef0123", "fedcba9876543210fedc"] {
            #expect(!all.contains(token))
            let digest = TokenDigest.of(token)
            #expect(!all.contains(digest.map { String(format: "%02x", $0) }.joined()))
            #expect(!all.contains(digest.base64EncodedString()))
        }
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 0)
    }
}

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Staff read the database with the smiley group's read access only: no write access to its folder,
/// whether or not smileyd runs (a stopped or crashed daemon is exactly when staff look).
@Suite("smileyctl for a user who may only read")
struct ReadOnlyUserTests {
    @Test("every read command works on a stopped daemon's database in a folder the user cannot write",
          .enabled(if: geteuid() == 0, "switching to an unprivileged user needs root (CI runs as root)"))
    func readOnlyUser() async throws {
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-22", hour: 12, [1, 0, 2, 4]))
        // The writer has closed: the WAL files stay for readers who cannot create them.
        #expect(FileManager.default.fileExists(atPath: terminal.database + "-wal"))
        #expect(FileManager.default.fileExists(atPath: terminal.database + "-shm"))
        chmod(terminal.folder.path, 0o755)
        for file in [terminal.config, terminal.database, terminal.database + "-wal", terminal.database + "-shm"] {
            chmod(file, 0o644)
        }
        let commands: [[String]] = [["summary", "--format", "json"], ["status", "--format", "json"],
                                    ["export", "--format", "csv"], ["report", "--format", "json"]]
        for command in commands {
            let result = try await runProcessAsync("/usr/bin/setpriv", [
                "--reuid=65534", "--regid=65534", "--clear-groups", Binaries.smileyctl,
            ] + command + ["--day", "2026-11-22"].filter { _ in command[0] != "status" }, environment: [
                "SMILEY_CONFIG": terminal.config, "SMILEY_NOW": "2026-11-22T20:00:00+02:00", "NO_COLOR": "",
            ])
            #expect(result.status == 0, "\(command[0]): \(result.stderr)")
            #expect(!result.stderr.contains("readonly database"), "\(command[0]): \(result.stderr)")
        }
        let summary = try await runProcessAsync("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", Binaries.smileyctl, "summary", "--format", "json",
            "--day", "2026-11-22",
        ], environment: ["SMILEY_CONFIG": terminal.config, "SMILEY_NOW": "2026-11-22T20:00:00+02:00"])
        #expect(try summary.object().int("counted") == 7)
        // Nothing was written: the files are as the writer left them, still root's.
        var info = stat()
        #expect(stat(terminal.database, &info) == 0 && info.st_uid == 0)
    }
}

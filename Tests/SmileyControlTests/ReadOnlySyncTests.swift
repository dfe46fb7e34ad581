import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `smileyctl sync` by a user who may only read, with no daemon: smileyctl writes nothing itself;
/// the `smileyd --sync-once` it runs cannot open the database for writing and says so (73).
@Suite("smileyctl sync for a user who may only read")
struct ReadOnlySyncTests {
    @Test("no daemon, a folder the user cannot write: 73 from smileyd --sync-once, in smileyctl's words; nothing written",
          .enabled(if: geteuid() == 0, "switching to an unprivileged user needs root (CI runs as root)"))
    func readOnlyUserSync() async throws {
        let terminal = TestTerminal()
        writeUnreachableUpstreamTerminal(in: terminal.folder, terminal: "kiosk-1", token: "tok")
        try await terminal.store(presses("2026-11-22", hour: 12, [1, 0, 2, 4]))
        chmod(terminal.folder.path, 0o755)
        for file in [terminal.config, terminal.database, terminal.database + "-wal", terminal.database + "-shm"] {
            chmod(file, 0o644)
        }
        let before = try FileManager.default.contentsOfDirectory(atPath: terminal.folder.path).sorted()
        var info = stat()
        #expect(stat(terminal.database, &info) == 0)
        let modified = info.st_mtim
        let result = try await runProcessAsync("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", Binaries.smileyctl, "sync", "--config", terminal.config,
            "--timeout", "30",
        ])
        #expect(result.status == 73, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.hasPrefix("smileyctl: error: "), "\(result.stderr)")
        #expect(result.stderr.contains(terminal.database), "\(result.stderr)")
        // Nothing was written or created: the same files, the database still root's and unmodified.
        #expect(try FileManager.default.contentsOfDirectory(atPath: terminal.folder.path).sorted() == before)
        #expect(stat(terminal.database, &info) == 0 && info.st_uid == 0)
        #expect(info.st_mtim.tv_sec == modified.tv_sec && info.st_mtim.tv_nsec == modified.tv_nsec)
    }
}

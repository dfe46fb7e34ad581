import Foundation
import Testing
@testable import SmileyControl

/// How smileyctl sync finds and runs `smileyd --sync-once` when no daemon answers.
@Suite("smileyctl sync runs smileyd --sync-once", .timeLimit(.minutes(2)))
struct SyncOnceProcessTests {
    /// A stand-in smileyd: records its arguments, prints a line, exits with `status`.
    static func fakeSmileyd(in folder: TemporaryFolder, status: Int32) -> String {
        folder.write("smileyd", """
            #!/bin/sh
            printf '%s\\n' "$@" > "\(folder.file("arguments"))"
            echo "report of the stand-in smileyd"
            exit \(status)

            """, mode: 0o755)
    }

    @Test("smileyd beside smileyctl's executable comes first, then the installed one")
    func locatesBesideFirst() throws {
        let folder = TemporaryFolder()
        let smileyd = Self.fakeSmileyd(in: folder, status: 0)
        let other = TemporaryFolder()
        let fallback = Self.fakeSmileyd(in: other, status: 0)
        #expect(try SyncOnceProcess.locate(noDaemon: "s", executable: folder.file("smileyctl"), fallback: fallback) == smileyd)
        let empty = TemporaryFolder()
        #expect(try SyncOnceProcess.locate(noDaemon: "s", executable: empty.file("smileyctl"), fallback: fallback) == fallback)
        #expect(try SyncOnceProcess.locate(noDaemon: "s", executable: nil, fallback: fallback) == fallback)
    }

    @Test("no smileyd anywhere: exit 69, naming the socket and both places looked at")
    func missingIsUnavailable() {
        let empty = TemporaryFolder()
        do {
            _ = try SyncOnceProcess.locate(noDaemon: "/run/smiley/control.sock", executable: empty.file("smileyctl"),
                                           fallback: empty.file("usr-bin-smileyd"))
            Issue.record("found a smileyd that is not there")
        } catch {
            #expect(error.exitCode == 69)
            #expect(error.description.contains("no daemon answers on /run/smiley/control.sock"))
            #expect(error.description.contains(empty.file("smileyd")) && error.description.contains(empty.file("usr-bin-smileyd")))
        }
    }

    @Test("a file that is not executable is not taken")
    func notExecutable() throws {
        let folder = TemporaryFolder()
        folder.write("smileyd", "#!/bin/sh\n", mode: 0o644)
        let other = TemporaryFolder()
        let fallback = Self.fakeSmileyd(in: other, status: 0)
        #expect(try SyncOnceProcess.locate(noDaemon: "s", executable: folder.file("smileyctl"), fallback: fallback) == fallback)
    }

    @Test("the child's exit status is returned; its arguments arrive as given")
    func runsToItsEnd() throws {
        let folder = TemporaryFolder()
        let smileyd = Self.fakeSmileyd(in: folder, status: 65)
        #expect(try SyncOnceProcess.run(smileyd, arguments: ["--sync-once", "a b", ""]) == 65)
        #expect(try String(contentsOfFile: folder.file("arguments"), encoding: .utf8) == "--sync-once\na b\n\n")
    }

    @Test("a program that cannot be started: exit 69 with the reason")
    func cannotStart() {
        let folder = TemporaryFolder()
        let notAProgram = folder.write("smileyd", "not a program", mode: 0o755)
        do {
            let status = try SyncOnceProcess.run(notAProgram, arguments: [])
            Issue.record("started: exit \(status)")
        } catch {
            #expect(error.exitCode == 69)
            #expect(error.description.contains("cannot start \(notAProgram) --sync-once"), "\(error.description)")
        }
    }

    @Test("smileyctl sync with no daemon runs the smileyd beside it, with its options, and exits with its status")
    func smileyctlDelegates() async throws {
        let terminal = TestTerminal()
        // An upstream is configured; no daemon runs, so no socket answers.
        writeUnreachableUpstreamTerminal(in: terminal.folder, terminal: "kiosk-1", token: "tok")
        // smileyctl copied beside a stand-in smileyd (smileyctl looks beside its own executable).
        let bin = TemporaryFolder()
        let copy = bin.file("smileyctl")
        try FileManager.default.copyItem(atPath: Binaries.smileyctl, toPath: copy)
        _ = Self.fakeSmileyd(in: bin, status: 75)
        let result = try await runProcessAsync(copy, ["sync", "--config", terminal.config, "--timeout", "7",
                                                      "--retry-quarantined", "--format", "json"])
        #expect(result.status == 75, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout == "report of the stand-in smileyd\n")
        let arguments = try String(contentsOfFile: bin.file("arguments"), encoding: .utf8)
        #expect(arguments == ["--sync-once", "--config", terminal.config, "--timeout", "7", "--format", "json",
                              "--called-by", "smileyctl", "--retry-quarantined"].joined(separator: "\n") + "\n")
    }

    @Test("smileyctl sync without an upstream says so itself: exit 78, smileyd not run")
    func noUpstream() async throws {
        let terminal = TestTerminal()
        let bin = TemporaryFolder()
        let copy = bin.file("smileyctl")
        try FileManager.default.copyItem(atPath: Binaries.smileyctl, toPath: copy)
        _ = Self.fakeSmileyd(in: bin, status: 0)
        let result = try await runProcessAsync(copy, ["sync", "--config", terminal.config])
        #expect(result.status == 78)
        #expect(result.stderr.contains("smileyctl: error: no upstream: section in \(terminal.config)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bin.file("arguments")))
    }
}

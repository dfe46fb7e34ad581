import Foundation
import Testing
@testable import SmileyControl
#if canImport(Glibc)
import Glibc
#endif

/// The staff path end to end through a real sshd: the shipped account and drop-in give a staff key
/// today's summary and nothing else — no other program, no shell, no forwarding, no writes — and
/// bound how many sessions run and what each may use.
@Suite("staff SSH through a real sshd", .serialized,
       .enabled(if: StaffSSHServer.canRun, "needs root: it adds a temporary staff user and runs sshd (CI runs as root)"))
struct StaffSSHTests {
    /// A terminal with 2026-11-22's presses (the gate's clock is pinned to that evening), behind sshd.
    func server() async throws -> StaffSSHServer {
        try #require(FileManager.default.isExecutableFile(atPath: StaffSSHServer.sshd),
                     "openssh-server is not installed: run `make deps` (apt-get install openssh-server)")
        let terminal = TestTerminal()
        try await terminal.store(presses("2026-11-22", hour: 12, [1, 0, 2, 4]))
        return try await StaffSSHServer.start(terminal: terminal)
    }

    @Test("the shipped account: /bin/sh, home /, locked password, in the group; a key gets today's summary")
    func summary() async throws {
        let server = try await server()
        do {
            let entry = try #require(getpwnam(server.user)?.pointee)
            #expect(String(cString: entry.pw_shell) == "/bin/sh")
            #expect(String(cString: entry.pw_dir) == "/")
            let shadow = try String(contentsOfFile: "/etc/shadow", encoding: .utf8).split(separator: "\n")
                .first { $0.hasPrefix(server.user + ":") }.map { $0.split(separator: ":", omittingEmptySubsequences: false)[1] }
            #expect(shadow?.hasPrefix("!") == true, "password not locked: \(String(describing: shadow))")
            #expect(try await runProcessAsync("/usr/bin/id", ["-nG", server.user]).stdout.split(separator: " ")
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.contains(server.group))

            let json = try await server.ssh(["summary", "--format", "json"])
            #expect(json.status == 0, "\(json.stderr)\n\(server.log.text)")
            #expect(try json.object().int("counted") == 7)
            #expect(try json.object()["day"] as? String == "2026-11-22")
            let plain = try await server.ssh([])
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(plain.stdout.contains("Sunday 2026-11-22") && plain.stdout.contains("very-happy       4"), "\(plain.stdout)")
            let prefixed = try await server.ssh(["smileyctl", "status", "--format", "json"])
            #expect(prefixed.status == 0, "\(prefixed.stderr)")
            #expect(try prefixed.object().object("database")?.int("samples") == 7)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("other programs, writing commands and writes are refused; nothing is created")
    func refused() async throws {
        let server = try await server()
        do {
            // A folder the staff user may write: a refusal there is the gate's, not the permissions'.
            let dropbox = server.directory + "/dropbox"
            try FileManager.default.createDirectory(atPath: dropbox, withIntermediateDirectories: false)
            chown(dropbox, server.uid, gid_t(getpwnam(server.user)?.pointee.pw_gid ?? 0))
            let control = try await runProcessAsync("/usr/bin/setpriv", ["--reuid=\(server.uid)", "--regid=\(getpwnam(server.user)?.pointee.pw_gid ?? 0)",
                                                              "--clear-groups", "/usr/bin/touch", dropbox + "/control"])
            #expect(control.status == 0 && FileManager.default.fileExists(atPath: dropbox + "/control"),
                    "the staff user cannot write the dropbox, so the checks below would prove nothing: \(control.stderr)")

            for (command, status) in [(["bash"], 77), (["sh", "-c", "id"], 77), (["sync"], 77), (["sync", "--retry-quarantined"], 77),
                                      (["report", "--output", "pwned.html"], 77), (["touch", "pwned"], 77),
                                      (["touch", dropbox + "/pwned"], 64), (["summary;", "touch", dropbox + "/pwned"], 64),
                                      (["scp", "-t", "dropbox"], 77), (["ssh-gate"], 77)] as [([String], Int32)] {
                let result = try await server.ssh(command)
                #expect(result.status == status, "\(command): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("smileyctl ssh-gate: refused: "), "\(command): \(result.stderr)")
                #expect(result.stdout.isEmpty, "\(command): \(result.stdout.prefix(200))")
            }
            // sftp (and the scp of OpenSSH 9, which speaks sftp) gets the gate too, not sftp-server.
            let upload = server.directory + "/upload.txt"
            FileManager.default.createFile(atPath: upload, contents: Data("x\n".utf8))
            let batch = server.directory + "/sftp-batch"
            try "put \(upload) \(dropbox)/pwned-sftp\n".write(toFile: batch, atomically: false, encoding: .utf8)
            let sftp = try await SpawnedProcess.run("/usr/bin/sftp", ["-b", batch]
                + server.clientOptions(portOption: "-P") + [server.destination])
            #expect(sftp.status != 0, "sftp put succeeded: \(sftp.stdout) \(sftp.stderr)")
            let scp = try await SpawnedProcess.run("/usr/bin/scp", server.clientOptions(portOption: "-P") + [upload, "\(server.destination):\(dropbox)/pwned-scp"])
            #expect(scp.status != 0, "scp succeeded: \(scp.stderr)")

            let created = try FileManager.default.contentsOfDirectory(atPath: dropbox).filter { $0 != "control" }
            #expect(created.isEmpty, "created: \(created)")
            #expect(!FileManager.default.fileExists(atPath: "/pwned") && !FileManager.default.fileExists(atPath: "/pwned.html"))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("no shell: ssh -tt gets no terminal, and what it types is not run")
    func noShell() async throws {
        let server = try await server()
        do {
            for command in [[], ["bash", "-i"]] {
                let typed = try await server.ssh(command, options: ["-tt"], stdin: "id\necho shell-ran-$((6*7))\nexit\n")
                #expect(typed.status != 0, "\(command): \(typed.stdout)")
                #expect(typed.stderr.contains("PTY allocation request failed"), "\(command): \(typed.stderr)")
                #expect(!typed.stdout.contains("uid=") && !typed.stdout.contains("shell-ran-42"), "\(command): \(typed.stdout)")
            }
            // Without asking for a terminal, typed lines are not run either: the gate shows the summary.
            let piped = try await server.ssh([], stdin: "id\necho shell-ran-$((6*7))\nexit\n")
            #expect(piped.status == 0, "\(piped.stderr)")
            #expect(piped.stdout.contains("Sunday 2026-11-22"), "\(piped.stdout)")
            #expect(!piped.stdout.contains("uid=") && !piped.stdout.contains("shell-ran-42"), "\(piped.stdout)")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("no port forwarding: a connection through -L is refused by sshd, -R is refused")
    func noForwarding() async throws {
        let server = try await server()
        var forwarding: SpawnedProcess?
        do {
            // -L: the client listens here; sshd must refuse to open the channel to its own port.
            let localPort = try StaffSSHServer.freePort()
            let forward = try SpawnedProcess(StaffSSHServer.ssh, server.clientOptions(logLevel: "DEBUG1")
                + ["-N", "-L", "127.0.0.1:\(localPort):127.0.0.1:\(server.port)", server.destination])
            forwarding = forward
            let log = forward.stderr
            let listening = await log.firstLine { $0.contains("Local forwarding listening on 127.0.0.1 port \(localPort)") }
            let authenticated = await log.firstLine { $0.contains("Authenticated to 127.0.0.1") }
            #expect(listening != nil && authenticated != nil, "\(log.text)")
            let received: String
            do {
                received = try await Self.connectAndRead(port: localPort)
            } catch {
                let sockets = try? await runProcessAsync("/usr/bin/ss", ["-ltnp"])
                Issue.record("\(error)\n\(sockets?.stdout ?? "")\n\(log.text)")
                throw error
            }
            #expect(!received.contains("SSH-2.0"), "the forward reached sshd: \(received)")
            let refused = await log.firstLine { $0.contains("open failed") }
            #expect(refused?.contains("administratively prohibited") == true, "\(log.text)")
            forward.kill()
            _ = await forward.exited()

            // -R: sshd refuses to listen for the client.
            let remote = try await server.ssh([], options: ["-N", "-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:0:127.0.0.1:\(server.port)"])
            #expect(remote.status == 255, "\(remote.stderr)")
            #expect(remote.stderr.contains("remote port forwarding failed"), "\(remote.stderr)")
        } catch {
            forwarding?.kill()
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("sessions are bounded: the fifth at once is refused (75), each runs limited, and an ended one frees its slot")
    func boundedSessions() async throws {
        let server = try await server()
        var tails: [SpawnedProcess] = []
        do {
            for _ in 0..<StaffSessionLimits.defaultMaxSessions {
                let tail = try SpawnedProcess(StaffSSHServer.ssh, server.clientOptions() + [server.destination, "tail", "-n", "1"])
                let output = tail.stdout
                tails.append(tail)
                // Running once it has shown the last press.
                let line = await output.firstLine { $0.contains("very-happy") }
                #expect(line != nil, "tail ended without its first line; sshd: \(server.log.text)")
            }
            let running = server.processes(excluding: ["sshd", "sh"])
            #expect(running.count == StaffSessionLimits.defaultMaxSessions)

            let busy = try await server.ssh(["summary"])
            #expect(busy.status == 75, "\(busy.stderr)")
            #expect(busy.stderr.contains("smileyctl ssh-gate: busy: 4 staff sessions are running already"), "\(busy.stderr)")
            #expect(busy.stdout.isEmpty)

            // What each session runs with.
            let pid = try #require(running.first)
            let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
            func limit(_ name: String) -> [String] {
                let line = limits.split(separator: "\n").first { $0.hasPrefix(name) } ?? ""
                return line.dropFirst(name.count).split(separator: " ").prefix(2).map(String.init)
            }
            #expect(limit("Max data size") == [String(StaffSessionLimits.dataBytes), String(StaffSessionLimits.dataBytes)])
            #expect(limit("Max open files") == [String(StaffSessionLimits.openFiles), String(StaffSessionLimits.openFiles)])
            #expect(limit("Max processes") == [String(StaffSessionLimits.tasks), String(StaffSessionLimits.tasks)])
            #expect(limit("Max core file size") == ["0", "0"])
            let oom = try String(contentsOfFile: "/proc/\(pid)/oom_score_adj", encoding: .utf8)
            #expect(oom.trimmingCharacters(in: .whitespacesAndNewlines) == String(StaffSessionLimits.oomScoreAdjust))
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            let afterName = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
            #expect(afterName[16] == String(StaffSessionLimits.niceness), "nice of \(stat)")

            // The laptop goes away: its tail ends (the closed pipe), and its slot is free again.
            let first = tails.removeFirst()
            let before = server.processes(excluding: ["sshd", "sh"])
            first.kill()
            _ = await first.exited()
            let ended = await Self.anyExit(of: before)
            #expect(ended != nil, "no tail ended")
            let again = try await server.ssh(["summary", "--format", "json"])
            #expect(again.status == 0, "\(again.stderr)")
        } catch {
            for tail in tails { tail.kill() }
            await server.stop()
            throw error
        }
        for tail in tails {
            tail.kill()
            _ = await tail.exited()
        }
        await server.stop()
    }

    // MARK: - Helpers

    /// Waits (pidfd, no polling) until one of `pids` has exited; returns it.
    static func anyExit(of pids: [pid_t]) async -> pid_t? {
        typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
        guard let symbol = dlsym(nil, "pidfd_open") else { return nil }
        let open = unsafeBitCast(symbol, to: PidfdOpen.self)
        var fds: [Int32] = []
        defer { for fd in fds where fd >= 0 { close(fd) } }
        for pid in pids {
            let fd = open(pid, 0)
            if fd < 0 && errno == ESRCH { return pid }  // gone already
            fds.append(fd)
        }
        guard fds.contains(where: { $0 >= 0 }) else { return nil }
        let opened = fds
        return await withCheckedContinuation { continuation in
            Thread {
                var polled = opened.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                while poll(&polled, nfds_t(polled.count), -1) < 0 && errno == EINTR {}
                let index = polled.firstIndex { $0.revents != 0 }
                continuation.resume(returning: index.map { pids[$0] })
            }.start()
        }
    }

    /// Connects to 127.0.0.1:`port` and reads until the other side closes.
    static func connectAndRead(port: Int) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = UInt16(port).bigEndian
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else {
                    continuation.resume(throwing: StaffSSHServer.SetupFailed(description: "connect to \(port): \(String(cString: strerror(errno)))"))
                    return
                }
                var received = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = read(fd, &buffer, buffer.count)
                    if count <= 0 { break }
                    received += buffer[0..<count]
                }
                continuation.resume(returning: String(decoding: received, as: UTF8.self))
            }.start()
        }
    }
}

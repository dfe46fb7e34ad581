import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real sshd (Debian's openssh-server) on a loopback port with the package's staff settings: the
/// shipped sysusers lines make a temporary staff user and group, the shipped sshd drop-in is
/// included with only its user name, key file and smileyctl path swapped for the test's, and the
/// database is readable by the group alone. Root only (it adds a user and runs sshd).
final class StaffSSHServer: @unchecked Sendable {
    struct SetupFailed: Error, CustomStringConvertible { let description: String }

    static let sshd = "/usr/sbin/sshd"
    static let ssh = "/usr/bin/ssh"
    static var canRun: Bool { geteuid() == 0 }

    let directory: String
    let user: String
    let group: String
    let uid: uid_t
    let key: String
    let port: Int
    let terminal: TestTerminal
    private let process: SpawnedProcess
    let log: LineCollector

    /// The repository's root, for the shipped files.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Starts sshd for a new temporary staff user over `terminal` (stored beforehand; its folder
    /// and files are given to the user's group, read-only). `now` is the gate's pinned clock.
    static func start(terminal: TestTerminal, now: String = "2026-11-22T20:00:00+02:00") async throws -> StaffSSHServer {
        let tag = String(UInt64.random(in: 0..<(1 << 32)), radix: 16)
        let directory = "/run/smiley-staff-test-\(tag)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        let user = "smiley-t\(tag)", group = "smiley-g\(tag)"
        do {
            try await addUser(user, group: group, directory: directory)
            let uid = try #require(getpwnam(user)?.pointee.pw_uid, "the user \(user) was not created")
            let gid = try #require(getgrnam(group)?.pointee.gr_gid, "the group \(group) was not created")
            // The database as smileyd leaves it: root's here, readable by the group only.
            for file in [terminal.folder.path, terminal.config, terminal.database, terminal.database + "-wal",
                         terminal.database + "-shm"] {
                chown(file, 0, gid)
                chmod(file, file == terminal.folder.path ? 0o750 : 0o640)
            }
            let smileyctl = try reachableSmileyctl(in: directory)
            try await run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "staff-test", "-f", directory + "/host_key"])
            try await run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "staff-laptop", "-f", directory + "/staff_key"])
            let publicKey = try String(contentsOfFile: directory + "/staff_key.pub", encoding: .utf8)
            FileManager.default.createFile(atPath: directory + "/staff_authorized_keys", contents: Data(publicKey.utf8),
                                           attributes: [.posixPermissions: 0o644])
            try dropIn(user: user, keys: directory + "/staff_authorized_keys",
                       command: "\(smileyctl) ssh-gate --config \(terminal.config)")
                .write(toFile: directory + "/smiley-staff.conf", atomically: false, encoding: .utf8)
            // sshd's privilege separation folder (made by its unit on a booted system).
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            var attempt = 0
            while true {
                attempt += 1
                let port = try freePort()
                // As Debian's sshd_config: the drop-ins first, then settings that allow what the
                // drop-in must take away again for the staff user (TTY, forwarding, X11).
                let config = """
                    Include \(directory)/smiley-staff.conf
                    Port \(port)
                    ListenAddress 127.0.0.1
                    HostKey \(directory)/host_key
                    PidFile none
                    UsePAM yes
                    KbdInteractiveAuthentication no
                    X11Forwarding yes
                    AllowTcpForwarding yes
                    PermitTTY yes
                    LogLevel VERBOSE
                    SetEnv SMILEY_NOW=\(now) NO_COLOR=1 COLUMNS=100
                    Subsystem sftp /usr/lib/openssh/sftp-server

                    """
                try config.write(toFile: directory + "/sshd_config", atomically: false, encoding: .utf8)
                let process = try SpawnedProcess(sshd, ["-D", "-e", "-f", directory + "/sshd_config"])
                let log = process.stderr
                // Ready when sshd says it listens; it says why not when it cannot.
                let line = await log.firstLine { $0.contains("Server listening on 127.0.0.1 port \(port)") || $0.contains("Cannot bind") }
                if let line, line.contains("Server listening") {
                    return StaffSSHServer(directory: directory, user: user, group: group, uid: uid,
                                          key: directory + "/staff_key", port: port, terminal: terminal,
                                          process: process, log: log)
                }
                process.kill()
                _ = await process.exited()
                // Another program took the port between freePort() and sshd's bind: another port.
                guard line != nil, attempt < 5 else {
                    throw SetupFailed(description: "sshd did not start:\n\(log.text)")
                }
            }
        } catch {
            await removeUser(user, group: group)
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    private init(directory: String, user: String, group: String, uid: uid_t, key: String, port: Int,
                 terminal: TestTerminal, process: SpawnedProcess, log: LineCollector) {
        self.directory = directory
        self.user = user
        self.group = group
        self.uid = uid
        self.key = key
        self.port = port
        self.terminal = terminal
        self.process = process
        self.log = log
    }

    /// Stops sshd and every process left of the user, then removes the user, group and files.
    func stop() async {
        process.kill()
        _ = await process.exited()
        for pid in processes() { Glibc.kill(pid, SIGKILL) }
        await Self.removeUser(user, group: group)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The client options every connection uses: this key only, no agent, no known hosts, no prompts.
    func clientOptions(logLevel: String = "ERROR", portOption: String = "-p") -> [String] {
        ["-F", "/dev/null", "-i", key, portOption, String(port), "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
         "-o", "IdentityAgent=none", "-o", "LogLevel=\(logLevel)"]
    }

    var destination: String { "\(user)@127.0.0.1" }

    /// `ssh [options] user@127.0.0.1 [command…]`, to its end.
    func ssh(_ command: [String], options: [String] = [], stdin: String? = nil) async throws -> SpawnedProcess.Result {
        try await SpawnedProcess.run(Self.ssh, clientOptions() + options + [destination] + command, stdin: stdin)
    }

    /// The user's processes, but those named in `excluded`, from /proc.
    func processes(excluding excluded: Set<String> = []) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                  let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8) else { return nil }
            let fields = Dictionary(status.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }, uniquingKeysWith: { first, _ in first })
            guard fields["Uid"]?.split(separator: "\t").first.map(String.init) == String(uid) else { return nil }
            if let name = fields["Name"], excluded.contains(name) { return nil }
            return pid
        }
    }

    // MARK: - Setup

    /// The shipped sysusers.d lines of smiley-staff, for `user` in `group` instead of smiley-staff in smiley.
    static func sysusersLines(user: String, group: String) throws -> String {
        let shipped = try String(contentsOfFile: repository + "/systemd/sysusers.d/smiley.conf", encoding: .utf8)
        var lines = ["g \(group) -"]
        for line in shipped.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3, fields[1] == "smiley-staff" else { continue }
            switch fields[0] {
            case "u": lines.append(line.replacingOccurrences(of: "smiley-staff", with: user))
            case "m":
                #expect(fields[2] == "smiley", "the staff user must be a member of smiley: \(line)")
                lines.append("m \(user) \(group)")
            default: lines.append(String(line))
            }
        }
        guard lines.contains(where: { $0.hasPrefix("u ") }) else {
            throw SetupFailed(description: "systemd/sysusers.d/smiley.conf has no `u smiley-staff` line")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func addUser(_ user: String, group: String, directory: String) async throws {
        let file = directory + "/sysusers.conf"
        try sysusersLines(user: user, group: group).write(toFile: file, atomically: false, encoding: .utf8)
        try await run("/usr/bin/systemd-sysusers", [file])
    }

    static func removeUser(_ user: String, group: String) async {
        _ = try? await runProcessAsync("/usr/sbin/userdel", [user])
        _ = try? await runProcessAsync("/usr/sbin/groupdel", [group])
    }

    /// The shipped drop-in with the test's user, key file and forced command.
    static func dropIn(user: String, keys: String, command: String) throws -> String {
        var text = try String(contentsOfFile: repository + "/packaging/sshd/smiley-staff.conf", encoding: .utf8)
        for (shipped, test) in [("Match User smiley-staff", "Match User \(user)"),
                                ("AuthorizedKeysFile /etc/smiley/staff_authorized_keys", "AuthorizedKeysFile \(keys)"),
                                ("ForceCommand /usr/bin/smileyctl ssh-gate", "ForceCommand \(command)")] {
            guard text.contains(shipped) else {
                throw SetupFailed(description: "packaging/sshd/smiley-staff.conf has no line \"\(shipped)\"")
            }
            text = text.replacingOccurrences(of: shipped, with: test)
        }
        return text
    }

    /// The built smileyctl where the staff user can run it: in place when every folder above it is
    /// open to others, else a copy in `directory`.
    static func reachableSmileyctl(in directory: String) throws -> String {
        let built = Binaries.smileyctl
        var path = URL(fileURLWithPath: built).deletingLastPathComponent().path
        var open = true
        while path != "/" && !path.isEmpty {
            var info = stat()
            if stat(path, &info) != 0 || info.st_mode & 0o001 == 0 { open = false }
            path = (path as NSString).deletingLastPathComponent
        }
        if open { return built }
        let copy = directory + "/smileyctl"
        try FileManager.default.copyItem(atPath: built, toPath: copy)
        chmod(copy, 0o755)
        return copy
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw SetupFailed(description: "no free loopback port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func run(_ program: String, _ arguments: [String]) async throws {
        let result = try await runProcessAsync(program, arguments)
        guard result.status == 0 else {
            throw SetupFailed(description: "\(program) \(arguments.joined(separator: " ")): exit \(result.status): \(result.stderr)")
        }
    }
}

/// A child's output read line by line on a thread of its own (so the child never blocks on a full
/// pipe), with a way to wait for a line or for the end.
final class LineCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var done = false

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return lines.joined(separator: "\n")
    }

    /// Reads `fd` to its end, then closes it.
    func start(reading fd: Int32) {
        Thread { [self] in
            var pending = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: 0x0A) {
                    add(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            close(fd)
            if !pending.isEmpty { add(String(decoding: pending, as: UTF8.self)) }
            condition.lock()
            done = true
            condition.broadcast()
            condition.unlock()
        }.start()
    }

    private func add(_ line: String) {
        condition.lock()
        lines.append(line)
        condition.broadcast()
        condition.unlock()
    }

    /// The first line (seen so far or to come) matching `test`; nil once the output ended without one.
    func firstLine(where test: @escaping @Sendable (String) -> Bool) async -> String? {
        await withCheckedContinuation { continuation in
            Thread { [self] in
                condition.lock()
                var found: String?
                while true {
                    found = lines.first(where: test)
                    if found != nil || done { break }
                    condition.wait()
                }
                condition.unlock()
                continuation.resume(returning: found)
            }.start()
        }
    }

    /// Once the output has ended.
    func ended() async { _ = await firstLine { _ in false } }
}

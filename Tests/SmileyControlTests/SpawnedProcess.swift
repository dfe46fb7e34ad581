import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child started with posix_spawn rather than Foundation's Process, for programs that close every
/// inherited descriptor at start (sshd, ssh, sftp, scp): Foundation takes that for the child's exit
/// and blocks its one process-watching thread in waitpid until the child really ends, stalling every
/// other Process. Signals are unblocked in the child; output is collected line by line.
final class SpawnedProcess: @unchecked Sendable {
    struct SpawnFailed: Error, CustomStringConvertible { let description: String }

    let pid: pid_t
    let stdout = LineCollector()
    let stderr = LineCollector()
    private let condition = NSCondition()
    private var status: Int32?

    init(_ path: String, _ arguments: [String], stdin: String? = nil) throws {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        for index in 0..<3 {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw SpawnFailed(description: "pipe: \(String(cString: strerror(errno)))") }
            // Close-on-exec: only the copies made for the child's 0, 1 and 2 stay open in it.
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            switch index {
            case 0: input = fds
            case 1: output = fds
            default: errors = fds
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var environment = ProcessInfo.processInfo.environment
        for name in ["SSH_AUTH_SOCK", "SSH_ORIGINAL_COMMAND", "SMILEY_CONFIG", "NOTIFY_SOCKET"] { environment[name] = nil }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        close(input[0]); close(output[1]); close(errors[1])
        guard result == 0 else {
            close(input[1]); close(output[0]); close(errors[0])
            throw SpawnFailed(description: "posix_spawn \(path): \(String(cString: strerror(result)))")
        }
        pid = child
        let spawned = child
        stdout.start(reading: output[0])
        stderr.start(reading: errors[0])
        let writer = input[1]
        let data = Array((stdin ?? "").utf8)
        Thread {
            var offset = 0
            while offset < data.count {
                let written = data[offset...].withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
            close(writer)
        }.start()
        Thread { [self] in
            var raw: Int32 = 0
            while waitpid(spawned, &raw, 0) < 0 && errno == EINTR {}
            // Exit status, or 128 + the signal, as a shell reports it.
            let code = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            condition.lock()
            status = code
            condition.broadcast()
            condition.unlock()
        }.start()
    }

    /// The exit status (128 + N for signal N), once the child has ended and its output is read.
    func exited() async -> Int32 {
        let code = await withCheckedContinuation { continuation in
            Thread { [self] in
                condition.lock()
                while status == nil { condition.wait() }
                let code = status ?? -1
                condition.unlock()
                continuation.resume(returning: code)
            }.start()
        }
        await stdout.ended()
        await stderr.ended()
        return code
    }

    func kill() { Glibc.kill(pid, SIGKILL) }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// stdout parsed as a JSON object.
        func object() throws -> [String: Any] {
            let value = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
            guard let object = value as? [String: Any] else {
                throw SpawnFailed(description: "not a JSON object: \(stdout.prefix(200))")
            }
            return object
        }
    }

    /// Runs to the end: status, standard output and standard error.
    static func run(_ path: String, _ arguments: [String], stdin: String? = nil) async throws -> Result {
        let child = try SpawnedProcess(path, arguments, stdin: stdin)
        let status = await child.exited()
        return Result(status: status, stdout: child.stdout.text, stderr: child.stderr.text)
    }
}

import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `smileyd --sync-once`, run by `smileyctl sync` when no daemon answers: found beside smileyctl's
/// own executable, else at /usr/bin/smileyd, and run in the foreground with smileyctl's standard
/// input, output and error. SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to smileyctl reach it too.
enum SyncOnceProcess {
    static let installedPath = "/usr/bin/smileyd"

    /// smileyd beside `executable` (smileyctl's own, by default), else `fallback`; exit 69 when
    /// neither is there.
    static func locate(noDaemon socket: String, executable: String? = ownExecutable(),
                       fallback: String = installedPath) throws(ControlError) -> String {
        var tried: [String] = []
        if let executable {
            let beside = ((executable as NSString).deletingLastPathComponent as NSString).appendingPathComponent("smileyd")
            if access(beside, X_OK) == 0 { return beside }
            tried.append(beside)
        }
        if access(fallback, X_OK) == 0 { return fallback }
        tried.append(fallback)
        throw ControlError("no daemon answers on \(socket), and smileyd, which syncs in the foreground without one, is not installed (looked for \(tried.joined(separator: " and ")))",
                           exitCode: 69)
    }

    /// This process's executable (/proc/self/exe).
    static func ownExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The signals passed on to the child; it starts with them at their defaults, unblocked.
    static let forwarded = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Runs `path` with `arguments` to its end and returns its exit status. A signal that ended
    /// it ends smileyctl the same way.
    static func run(_ path: String, arguments: [String]) throws(ControlError) -> Int32 {
        childState.store(0, ordering: .sequentiallyConsistent)
        let previous = forwarded.map { ($0, Glibc.signal($0, forwardToChild)) }
        defer { for (signal, handler) in previous { Glibc.signal(signal, handler) } }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in forwarded + [SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, nil, &attributes, argv, environ)
        guard spawned == 0 else {
            throw ControlError("cannot start \(path) --sync-once: \(String(cString: strerror(spawned)))", exitCode: 69)
        }
        // A signal that came before the child's pid was known is passed on now.
        let early = childState.exchange(pid, ordering: .sequentiallyConsistent)
        if early < 0 { kill(pid, -early) }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw ControlError("waiting for \(path) --sync-once failed: \(String(cString: strerror(errno)))", exitCode: 69)
            }
        }
        childState.store(0, ordering: .sequentiallyConsistent)
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        // Killed by a signal: end the same way (128 + the signal if that signal does not end us).
        Glibc.signal(signal, SIG_DFL)
        raise(signal)
        return 128 + signal
    }
}

/// The child's pid once known; before that, minus a signal that came first (0: none).
private let childState = Atomic<Int32>(0)

/// Passes a signal on to the child (only lock-free atomics and kill(2): async-signal-safe).
private func forwardToChild(_ signal: Int32) {
    while true {
        let state = childState.load(ordering: .sequentiallyConsistent)
        if state > 0 {
            kill(state, signal)
            return
        }
        if childState.compareExchange(expected: state, desired: -signal, ordering: .sequentiallyConsistent).exchanged { return }
    }
}

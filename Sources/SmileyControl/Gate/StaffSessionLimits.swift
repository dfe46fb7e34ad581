import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What staff SSH sessions may use, set by `ssh-gate` before it becomes smileyctl (which inherits
/// all of it): at most `maxSessions` at once per user, and for each a memory, descriptor and task
/// bound, a lower CPU priority than smileyd's and an OOM score that has the kernel take it first.
/// A smileyctl `tail` stays about 32 MB resident for as long as it runs; without a bound a dozen
/// fill a 512 MB board (docs/reports.md, "What a staff session may use").
enum StaffSessionLimits {
    static let defaultMaxSessions = 4
    static let maxSessionsRange = 1...64

    /// RLIMIT_DATA: a session's private writable memory (heap and thread stacks), per process.
    static let dataBytes: rlim_t = 256 << 20
    /// RLIMIT_NOFILE: smileyctl needs the database, its -wal and -shm, inotify and the standard three.
    static let openFiles: rlim_t = 64
    /// RLIMIT_NPROC: the user's tasks (threads) in all its sessions together, sshd's own included.
    static let tasks: rlim_t = 128
    /// Below smileyd (which runs at 0) and everything else a terminal runs.
    static let niceness: Int32 = 10
    /// smileyd has -900 (OOMScoreAdjust=): a staff session is the first thing the OOM killer takes.
    static let oomScoreAdjust = 500

    /// Every session slot of this user is taken.
    struct Busy: Error, Equatable, CustomStringConvertible {
        let maxSessions: Int
        var description: String {
            "\(maxSessions) staff session\(maxSessions == 1 ? " is" : "s are") running already (at most "
                + "\(maxSessions) at once); end one (a tail, say) or try again when one has ended"
        }
    }

    /// The abstract socket name of slot `index` for `uid`: no file is created, and the kernel
    /// releases the name when the last descriptor on it closes — when the session's smileyctl exits.
    static func slotName(uid: uid_t, index: Int) -> String { "smiley-staff-session.\(uid).\(index)" }

    /// Claims the first free slot: a socket bound to its name, left open (not close-on-exec) so the
    /// smileyctl this process becomes holds it. Returns the descriptor; a system error as errno.
    static func claimSlot(uid: uid_t, maxSessions: Int) -> Result<Int32, SlotFailure> {
        for index in 0..<maxSessions {
            let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { return .failure(.system(errno)) }
            let status = bindAbstract(fd, name: slotName(uid: uid, index: index))
            if status == 0 { return .success(fd) }
            let failure = errno
            close(fd)
            guard failure == EADDRINUSE else { return .failure(.system(failure)) }
        }
        return .failure(.busy(Busy(maxSessions: maxSessions)))
    }

    enum SlotFailure: Error, Equatable {
        case busy(Busy)
        /// errno of socket(2) or bind(2).
        case system(Int32)
    }

    static func bindAbstract(_ fd: Int32, name: String) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count + 1 <= capacity else {
            errno = ENAMETOOLONG
            return -1
        }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path[0] = 0  // the abstract namespace
            for (offset, byte) in bytes.enumerated() { path[offset + 1] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
    }

    /// The resource limits (soft and hard: a session cannot raise them again). Returns what failed.
    static func applyResourceLimits() -> [String] {
        var failures: [String] = []
        for (resource, value, name) in [(RLIMIT_DATA, dataBytes, "RLIMIT_DATA"), (RLIMIT_NOFILE, openFiles, "RLIMIT_NOFILE"),
                                        (__RLIMIT_NPROC, tasks, "RLIMIT_NPROC"), (RLIMIT_CORE, 0, "RLIMIT_CORE")]
        {
            var limit = rlimit(rlim_cur: value, rlim_max: value)
            var current = rlimit()
            // Never raise a limit the session already has below ours.
            if getrlimit(__rlimit_resource_t(resource.rawValue), &current) == 0 {
                limit.rlim_cur = min(limit.rlim_cur, current.rlim_max)
                limit.rlim_max = min(limit.rlim_max, current.rlim_max)
            }
            if setrlimit(__rlimit_resource_t(resource.rawValue), &limit) != 0 {
                failures.append("\(name): \(String(cString: strerror(errno)))")
            }
        }
        return failures
    }

    /// Lower CPU priority and a higher OOM score; where the system refuses (a read-only /proc),
    /// the session runs without them and the reason is returned for the log.
    static func applyPriority() -> [String] {
        var notes: [String] = []
        if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) != 0 {
            notes.append("nice \(niceness): \(String(cString: strerror(errno)))")
        }
        let fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC)
        if fd < 0 {
            notes.append("oom_score_adj: \(String(cString: strerror(errno)))")
        } else {
            let text = Array("\(oomScoreAdjust)\n".utf8)
            if write(fd, text, text.count) != text.count {
                notes.append("oom_score_adj \(oomScoreAdjust): \(String(cString: strerror(errno)))")
            }
            close(fd)
        }
        return notes
    }
}

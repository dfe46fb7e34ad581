import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One uploader per database: the daemon's, or `smileyd --sync-once` (`smileyctl sync` without a
/// daemon), never both.
/// An exclusive `flock` on `<database>.sync-lock`, held while the uploader lives; the kernel drops
/// it when the process dies, so a crash never leaves it stale.
public final class SyncLock: Sendable {
    public let path: String
    private let fd: Int32

    /// The lock file beside the database.
    public static func path(forDatabase database: String) -> String { database + ".sync-lock" }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// Another process holds it; `holder` is its pid when the file says so.
        case busy(path: String, holder: Int32?)
        case cannotOpen(path: String, reason: String)

        public var description: String {
            switch self {
            case .busy(let path, let holder):
                let who = holder.map { "process \($0)" } ?? "another process"
                return "another uploader (\(who)) is syncing this database (lock \(path))"
            case .cannotOpen(let path, let reason):
                return "cannot open the sync lock \(path): \(reason)"
            }
        }
    }

    public init(database: String) throws(Failure) {
        let path = Self.path(forDatabase: database)
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readHolder(fd)
            close(fd)
            throw .busy(path: path, holder: holder)
        }
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        self.fd = fd
    }

    deinit {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }

    /// `.busy` when another process holds the lock, else nil; for `smileyctl`, which may only
    /// read: it neither creates the file nor keeps a lock (a shared one, for an instant).
    /// Nil too when the file is missing or cannot be opened (a sync started then says why).
    public static func heldElsewhere(database: String) -> Failure? {
        let path = Self.path(forDatabase: database)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else {
            return errno == EWOULDBLOCK ? .busy(path: path, holder: readHolder(fd)) : nil
        }
        _ = flock(fd, LOCK_UN)
        return nil
    }

    private static func readHolder(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

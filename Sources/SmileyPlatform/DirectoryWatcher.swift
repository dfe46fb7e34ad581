#if canImport(Glibc)
import Glibc
#endif

/// Waits for changes to some files of one folder with inotify: the kernel wakes the thread when
/// one of them is written, created or moved into place — no polling. Watching the folder (not the
/// files) keeps working when a file is deleted and made again (SQLite's -wal after a restart).
///
/// Writes through mmap (SQLite's -shm) raise no inotify event; watch the files written with write(2).
public final class DirectoryWatcher: @unchecked Sendable {
    public enum Wake: Sendable, Equatable {
        /// One of the watched names changed.
        case changed
        /// The timeout passed first.
        case timeout
        /// The reader of `hangupFD` went away (a closed pipe, an ended SSH session).
        case hangup
    }

    private let fd: Int32
    private let names: Set<String>
    public let directory: String

    /// - Parameter names: file names (not paths) inside `directory` to report.
    public init(directory: String, names: Set<String>) throws(SystemCallError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SystemCallError(call: "inotify_init1", errno: errno) }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE)
        guard inotify_add_watch(fd, directory, mask) >= 0 else {
            let code = errno
            close(fd)
            throw SystemCallError(call: "inotify_add_watch \(directory)", errno: code)
        }
        self.fd = fd
        self.names = names
        self.directory = directory
    }

    deinit { close(fd) }

    /// Blocks until a watched file changes or `timeoutMs` passes (-1: no timeout). Several events
    /// that are already queued count as one change. With `hangupFD` (standard output), also
    /// returns when whoever reads it is gone.
    public func wait(timeoutMs: Int32, hangupFD: Int32? = nil) throws(SystemCallError) -> Wake {
        let deadline: Int64? = timeoutMs >= 0 ? Self.nowMs() + Int64(timeoutMs) : nil
        while true {
            var remaining: Int32 = -1
            if let end = deadline {
                remaining = Int32(max(0, end - Self.nowMs()))
            }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            if let hangupFD { fds.append(pollfd(fd: hangupFD, events: 0, revents: 0)) }
            let result = poll(&fds, nfds_t(fds.count), remaining)
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "poll", errno: errno)
            }
            if result == 0 { return .timeout }
            if fds.count > 1, fds[1].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .hangup }
            if try drainMatches() { return .changed }
        }
    }

    /// Reads every queued event; true when one names a watched file.
    private func drainMatches() throws(SystemCallError) -> Bool {
        var matched = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return matched }
                throw SystemCallError(call: "read inotify", errno: errno)
            }
            if count == 0 { return matched }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; }
                let length = Int(buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self) })
                let nameStart = offset + header
                let nameEnd = min(count, nameStart + length)
                let nameBytes = buffer[nameStart..<nameEnd].prefix { $0 != 0 }
                if names.contains(String(decoding: nameBytes, as: UTF8.self)) { matched = true }
                offset = nameStart + length
            }
        }
    }

    private static func nowMs() -> Int64 {
        Int64(MonotonicClock.nowNs() / 1_000_000)
    }
}

/// Whether the reader of `fd` (a pipe or terminal) has gone, waiting up to `timeoutMs` to see.
public func readerGone(fd: Int32, timeoutMs: Int32) -> Bool {
    var pfd = pollfd(fd: fd, events: 0, revents: 0)
    while true {
        let result = poll(&pfd, 1, timeoutMs)
        if result < 0, errno == EINTR { continue }
        return result > 0 && pfd.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }
}

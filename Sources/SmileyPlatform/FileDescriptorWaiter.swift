import CSmileySystem
#if canImport(Glibc)
import Glibc
#endif

/// Blocks a thread in `poll(2)` until a file descriptor is readable or ``cancel()`` is called.
///
/// This is how the input sources stay event-driven: a dedicated thread sleeps in the kernel with
/// zero CPU until an edge (or a key) arrives, and shutdown wakes it through a pipe.
public final class FileDescriptorWaiter: @unchecked Sendable {
    private let cancelPipe: (read: Int32, write: Int32)

    public enum Wake: Sendable, Equatable {
        case readable
        case cancelled
        case hangup
    }

    public init() throws(SystemCallError) {
        var fds: [Int32] = [-1, -1]
        guard smiley_pipe_cloexec_nonblock(&fds) == 0 else {
            throw SystemCallError(call: "pipe2", errno: errno)
        }
        cancelPipe = (fds[0], fds[1])
    }

    deinit {
        close(cancelPipe.read)
        close(cancelPipe.write)
    }

    /// Waits until `fd` is readable (or hung up), or until ``cancel()``.
    public func wait(for fd: Int32) throws(SystemCallError) -> Wake {
        var fds = [
            pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: cancelPipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let result = poll(&fds, 2, -1)
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "poll", errno: errno)
            }
            if fds[1].revents != 0 { return .cancelled }
            if fds[0].revents & Int16(POLLIN) != 0 { return .readable }
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .hangup }
        }
    }

    /// What ``wait(forAny:)`` found.
    public enum MultiWake: Sendable, Equatable {
        /// These indices (into the array given) are readable.
        case readable([Int])
        case cancelled
        /// The descriptor at this index hung up or is in error.
        case hangup(Int)
    }

    /// Waits until at least one of `fds` is readable (or hung up), or until ``cancel()``: one
    /// `poll(2)` over all of them (libgpiod 1.6 gives every requested line its own descriptor).
    public func wait(forAny fds: [Int32]) throws(SystemCallError) -> MultiWake {
        var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        polled.append(pollfd(fd: cancelPipe.read, events: Int16(POLLIN), revents: 0))
        while true {
            let result = poll(&polled, nfds_t(polled.count), -1)
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "poll", errno: errno)
            }
            if polled[fds.count].revents != 0 { return .cancelled }
            let readable = fds.indices.filter { polled[$0].revents & Int16(POLLIN) != 0 }
            if !readable.isEmpty { return .readable(readable) }
            if let broken = fds.indices.first(where: { polled[$0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 }) {
                return .hangup(broken)
            }
        }
    }

    /// Wakes the waiting thread (now or at its next wait); safe from any thread, more than once.
    public func cancel() {
        var byte: UInt8 = 1
        _ = write(cancelPipe.write, &byte, 1)
    }
}

/// A failed system call, with its errno explained.
public struct SystemCallError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

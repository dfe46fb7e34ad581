import Foundation
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// `smileyctl`'s side of the control socket: plain blocking POSIX I/O with poll(2) timeouts.
public final class ControlClient {
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// Nothing listens there (no socket file, or a stale one): no daemon uploader.
        case noDaemon(path: String, reason: String)
        case io(path: String, reason: String)
        case timedOut
        case protocolError(String)

        public var description: String {
            switch self {
            case .noDaemon(let path, let reason): "no daemon answers on \(path) (\(reason))"
            case .io(let path, let reason): "talking to the daemon on \(path) failed: \(reason)"
            case .timedOut: "timed out"
            case .protocolError(let message): "the daemon answered something unexpected: \(message)"
            }
        }
    }

    public let path: String
    private let fd: Int32
    private var pending = [UInt8]()

    /// Connects; `.noDaemon` when the socket is missing or refuses (the daemon is not running).
    public init(path: String) throws(Failure) {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            close(fd)
            throw .io(path: path, reason: "the socket path is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            close(fd)
            if code == ENOENT || code == ECONNREFUSED || code == ENOTDIR {
                throw .noDaemon(path: path, reason: String(cString: strerror(code)))
            }
            throw .io(path: path, reason: String(cString: strerror(code)))
        }
        self.fd = fd
    }

    deinit { close(fd) }

    public func send(_ request: ControlRequest) throws(Failure) {
        var data: Data
        do {
            data = try JSONEncoder().encode(request)
        } catch {
            throw .protocolError("cannot encode the request: \(error)")
        }
        data.append(0x0A)
        let written = data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        if !written { throw .io(path: path, reason: String(cString: strerror(errno))) }
    }

    /// The next reply line; nil at end of stream. `deadline` (monotonic ns) bounds the wait.
    public func nextReply(deadlineNs: UInt64?) throws(Failure) -> ControlReply? {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                do {
                    return try JSONDecoder().decode(ControlReply.self, from: Data(line))
                } catch {
                    throw .protocolError(String(decoding: line.prefix(200), as: UTF8.self))
                }
            }
            var timeout: Int32 = -1
            if let deadlineNs {
                let now = Self.monotonicNs()
                if now >= deadlineNs { throw .timedOut }
                timeout = Int32(min(UInt64(Int32.max), (deadlineNs - now) / 1_000_000 + 1))
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
            if ready == 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 {
                if pending.isEmpty { return nil }
                throw .protocolError("the daemon closed the connection in the middle of a line")
            }
            pending.append(contentsOf: buffer[0..<n])
        }
    }

    static func monotonicNs() -> UInt64 { MonotonicClock.nowNs() }
}

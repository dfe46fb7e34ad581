import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a loopback port, for what an HTTP client will not do: stay silent,
/// send half a request head. Every read gives up after `timeoutSeconds` (a failure bound, not a wait).
/// Blocking calls run on a thread of their own (``offPool(_:)``), never on Swift's few shared threads
/// that the collector in the same process needs.
final class RawConnection: Sendable {
    struct Failure: Error, CustomStringConvertible { var description: String }

    let fd: Int32

    init(port: Int, timeoutSeconds: Int = 15) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            throw Failure(description: "connect: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Everything until the peer closes; throws when the read timeout passes first.
    func readToEnd() throws -> [UInt8] {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return all }
            if count < 0 {
                if errno == ECONNRESET { return all }
                throw Failure(description: "recv: \(String(cString: strerror(errno))) after \(all.count) bytes")
            }
            all.append(contentsOf: buffer[0..<count])
        }
    }

    /// `work` on a new thread, awaited.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Everything until the peer closes, read on a thread of its own.
    func readToEndOffPool() async throws -> [UInt8] {
        try await Self.offPool { try self.readToEnd() }
    }

    /// ``request(port:_:body:)`` on a thread of its own.
    static func requestOffPool(port: Int, _ head: String, body: [UInt8] = []) async throws -> (status: String, text: String) {
        try await offPool { try request(port: port, head, body: body) }
    }

    /// One request with `Connection: close`, its answer's status line and body.
    static func request(port: Int, _ head: String, body: [UInt8] = []) throws -> (status: String, text: String) {
        let connection = try RawConnection(port: port)
        try connection.send(Array(head.utf8) + body)
        let answer = String(decoding: try connection.readToEnd(), as: UTF8.self)
        let status = answer.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        return (status, answer)
    }
}

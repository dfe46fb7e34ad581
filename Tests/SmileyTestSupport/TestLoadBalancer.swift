import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway HAProxy (Debian's `haproxy`) for tests, run from an example configuration with its
/// addresses replaced (``configuration(fromExample:port:backends:)``), so the example is what is
/// tested. It runs in the foreground (`-W -db`) as a child of the test; what it writes — its
/// start, servers going DOWN and UP, one log line per request — is in ``output``. Call ``stop()``.
public final class TestLoadBalancer {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public static let executable = "/usr/sbin/haproxy"

    /// Whether Debian's haproxy is installed (`make deps` installs it).
    public static var installed: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    /// The backend's servers, in the order of the backends' ports.
    public let servers: [String]
    /// The backend the servers are in.
    public let backend: String
    /// The configuration it runs.
    public let configuration: String
    /// Everything haproxy writes (notices, server state changes, the request log).
    public let output = LineLog()
    private let process = Process()

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Writes the configuration made from `example` into `folder` and starts haproxy on it, on
    /// `port` (a free one when nil) in front of servers on 127.0.0.1 at `backends`; returns once
    /// haproxy says it has loaded (its listener is bound by then).
    public init(example: String, backends: [Int], folder: String, port: Int? = nil) async throws {
        guard Self.installed else {
            throw Failure(description: "no \(Self.executable): install Debian's haproxy (`make deps`)")
        }
        guard let text = try? String(contentsOfFile: example, encoding: .utf8) else {
            throw Failure(description: "cannot read the example configuration \(example)")
        }
        self.port = try port ?? Self.freeLoopbackPort()
        let made = try Self.configuration(fromExample: text, port: self.port, backends: backends)
        servers = made.servers
        backend = made.backend
        configuration = folder + "/haproxy.cfg"
        try made.text.write(toFile: configuration, atomically: true, encoding: .utf8)

        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-W", "-db", "-f", configuration]
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        output.follow(pipe.fileHandleForReading)
        try process.run()
        let loaded = await output.firstIndex { $0.contains("Loading success.") }
        guard loaded != nil, process.isRunning else {
            await stop()
            throw Failure(description: "haproxy did not start on \(configuration):\n\(output.tail())")
        }
    }

    /// SIGTERM to haproxy's master, which stops its worker, and waits for the end.
    public func stop() async {
        if process.isRunning { process.terminate() }
        await process.exited()
    }

    /// The line haproxy writes when `server` changes state: `Server BACKEND/NAME is UP` or `… is DOWN`.
    public func stateLine(_ server: String, up: Bool) -> String {
        "Server \(backend)/\(server) is \(up ? "UP" : "DOWN")"
    }

    /// Awaits haproxy's word, in a line from `mark` on (``LineLog/count`` taken before the cause),
    /// that `server` is up or down; false when it never comes (within `bound`, a failure guard).
    public func awaitState(_ server: String, up: Bool, from mark: Int, upTo bound: Duration = .seconds(60)) async -> Bool {
        let line = stateLine(server, up: up)
        return await output.firstIndex(from: mark, upTo: bound) { $0.contains(line) } != nil
    }

    /// The request-log lines from `mark` on that `server` answered (HAProxy's httplog names
    /// `BACKEND/SERVER`, then the timers, then the status).
    public func requests(servedBy server: String, from mark: Int = 0) -> [String] {
        let name = " \(backend)/\(server) "
        return output.lines.dropFirst(mark).filter { $0.contains(name) && Self.status(ofLogLine: $0) != nil }
    }

    /// Awaits a request-log line from `mark` on for `path` answered with `status` (by any server).
    public func awaitAnswer(_ status: Int, to path: String, from mark: Int, upTo bound: Duration = .seconds(120)) async -> Bool {
        await output.firstIndex(from: mark, upTo: bound) { line in
            line.contains(" \(path) HTTP/") && Self.status(ofLogLine: line) == status
        } != nil
    }

    /// The status of an httplog line: the field after the timers (`Tq/Tw/Tc/Tr/Ta STATUS BYTES`).
    public static func status(ofLogLine line: String) -> Int? {
        let fields = line.split(separator: " ")
        let isTimers = { (field: Substring) in
            let parts = field.split(separator: "/")
            return parts.count == 5 && parts.allSatisfy { Int($0) != nil }
        }
        guard line.hasSuffix("\""), let timers = fields.firstIndex(where: isTimers),
              timers + 1 < fields.count else { return nil }
        return Int(fields[timers + 1])
    }

    /// `example` with what ties it to a host replaced: in `global`, the process settings (chroot,
    /// user, group, daemon, stats socket) are left out and the log goes to standard error; the first
    /// `bind` of a frontend listens on 127.0.0.1:`port` (others are left out); the backend's
    /// `server` lines become one per port of `backends`, each with the options of the example's
    /// first server line and the example's names (then `server-N`). Everything else is as written.
    public static func configuration(fromExample example: String, port: Int,
                                     backends: [Int]) throws -> (text: String, servers: [String], backend: String) {
        var output: [String] = []
        var section = ""
        var sectionName = ""
        var bound = false
        var exampleServers: [[Substring]] = []
        var serverLine: Int?
        var backend = ""
        for line in example.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first, !first.hasPrefix("#") else {
                output.append(String(line))
                continue
            }
            if line.first != " " && line.first != "\t" {
                section = String(first)
                sectionName = words.count > 1 ? String(words[1]) : ""
                output.append(String(line))
                if section == "global" { output.append("    log stderr format short local0") }
                continue
            }
            switch (section, String(first)) {
            case ("global", "chroot"), ("global", "user"), ("global", "group"), ("global", "daemon"), ("global", "log"):
                continue
            case ("global", "stats") where words.count > 1 && words[1] == "socket":
                continue
            case ("frontend", "bind"), ("listen", "bind"):
                if !bound { output.append("    bind 127.0.0.1:\(port)") }
                bound = true
            case ("backend", "server"), ("listen", "server"):
                guard words.count >= 3 else {
                    throw Failure(description: "the example's server line `\(line)` has no address")
                }
                if serverLine == nil {
                    serverLine = output.count
                    backend = sectionName
                } else if backend != sectionName {
                    throw Failure(description: "the example has servers in two backends (\(backend), \(sectionName)); the test replaces one")
                }
                exampleServers.append(Array(words))
            default:
                output.append(String(line))
            }
        }
        guard bound else { throw Failure(description: "the example has no `bind` line in a frontend") }
        guard let serverLine, let template = exampleServers.first else {
            throw Failure(description: "the example has no `server` line in a backend")
        }
        let names = backends.indices.map { $0 < exampleServers.count ? String(exampleServers[$0][1]) : "server-\($0 + 1)" }
        let options = template.dropFirst(3).joined(separator: " ")
        let lines = zip(names, backends).map { "    server \($0) 127.0.0.1:\($1)" + (options.isEmpty ? "" : " " + options) }
        output.insert(contentsOf: lines, at: serverLine)
        return (output.joined(separator: "\n"), names, backend)
    }

    /// A port nobody listens on now, on 127.0.0.1 (the kernel's choice for port 0).
    public static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
        guard bound == 0 else { throw Failure(description: "bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        var length = size
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

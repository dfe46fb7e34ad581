import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Serves the control socket for `smileyctl sync`: a Unix stream socket, mode 0660, in the runtime
/// directory. NIO accepts connections; nothing runs while nobody connects. Bounded: at most
/// ``maxConnections`` at once (more get a "busy" line and are closed), and a connection that sends no
/// request line within ``requestTimeout`` is answered with an error and closed — a member of the
/// smiley group cannot use up the daemon's descriptors.
public struct ControlServer: Sendable {
    public static let defaultMaxConnections = 8
    public static let defaultRequestTimeout: Duration = .seconds(5)

    public let path: String
    let uploader: Uploader
    let logger: Logger
    let maxConnections: Int
    let requestTimeout: Duration
    let clock: any Clock<Duration>
    /// Told 0 once the socket listens, then the number of open connections whenever it changes
    /// (tests await it).
    let onConnectionCount: (@Sendable (Int) -> Void)?
    private let open = OpenCount()

    /// The number of open connections, shared by the accept loop and the connections' tasks.
    private final class OpenCount: Sendable {
        let count = Mutex(0)
    }

    public init(path: String, uploader: Uploader, logger: Logger, maxConnections: Int = defaultMaxConnections,
                requestTimeout: Duration = defaultRequestTimeout, clock: any Clock<Duration> = ContinuousClock(),
                onConnectionCount: (@Sendable (Int) -> Void)? = nil) {
        self.path = path
        self.uploader = uploader
        self.logger = logger
        self.maxConnections = maxConnections
        self.requestTimeout = requestTimeout
        self.clock = clock
        self.onConnectionCount = onConnectionCount
    }

    /// Binds, then serves until cancelled; removes the socket file on the way out.
    public func run() async throws {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        chmod(path, 0o660)
        logger.debug("control socket listening", metadata: ["path": "\(path)"])
        onConnectionCount?(0)
        defer { unlink(path) }
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    let admitted = open.count.withLock { count -> Int? in
                        guard count < maxConnections else { return nil }
                        count += 1
                        return count
                    }
                    guard let count = admitted else {
                        group.addTask { await self.refuseBusy(connection) }
                        continue
                    }
                    onConnectionCount?(count)
                    group.addTask {
                        await self.serve(connection)
                        let left = open.count.withLock { count -> Int in
                            count -= 1
                            return count
                        }
                        onConnectionCount?(left)
                    }
                }
            }
        }
    }

    /// One connection too many: a line saying so, then closed.
    func refuseBusy(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        logger.warning("control socket busy: a connection was refused", metadata: ["open": "\(maxConnections)"])
        let reply = ControlReply(type: "error", message: "busy: \(maxConnections) control connections are open; try again")
        try? await connection.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(data: reply.line()))
        }
    }

    /// The request line, or nil: none within the timeout, too long, or the peer closed first.
    func requestLine(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws -> (line: String?, timedOut: Bool) {
        let clock = self.clock, timeout = requestTimeout
        return try await withThrowingTaskGroup(of: (line: String?, timedOut: Bool).self) { group in
            group.addTask {
                var pending = ByteBuffer()
                for try await chunk in inbound {
                    var chunk = chunk
                    pending.writeBuffer(&chunk)
                    if let newline = pending.readableBytesView.firstIndex(of: 0x0A) {
                        return (pending.readString(length: newline - pending.readerIndex), false)
                    }
                    if pending.readableBytes > ControlProtocol.maxRequestBytes { break }
                }
                return (nil, false)
            }
            group.addTask {
                try await clock.sleep(for: timeout)
                return (nil, true)
            }
            let first = try await group.next() ?? (nil, false)
            group.cancelAll()
            return first
        }
    }

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                let (line, timedOut) = try await requestLine(inbound)
                guard let line else {
                    let message = timedOut ? "no request line within \(requestTimeout); closed"
                        : "expected one JSON request line"
                    try await outbound.write(ByteBuffer(data: ControlReply(type: "error", message: message).line()))
                    return
                }
                for await reply in await replies(to: line) {
                    try await outbound.write(ByteBuffer(data: reply.line()))
                }
            }
        } catch {
            logger.debug("control connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// The replies to one request line (a stream for `sync`).
    func replies(to line: String) async -> AsyncStream<ControlReply> {
        let (stream, continuation) = AsyncStream.makeStream(of: ControlReply.self)
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line.utf8)) else {
            continuation.yield(ControlReply(type: "error", message: "not a control request: expected {\"command\":\"sync\"} or {\"command\":\"status\"}"))
            continuation.finish()
            return stream
        }
        switch request.command {
        case "sync":
            logger.info("sync requested through the control socket", metadata: ["retry-quarantined": "\(request.retryQuarantined ?? false)"])
            let progress = await uploader.requestSync(retryQuarantined: request.retryQuarantined ?? false)
            let task = Task {
                for await step in progress {
                    continuation.yield(ControlReply(type: "progress", progress: step))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        case "status":
            continuation.yield(ControlReply(type: "status", status: await uploader.status))
            continuation.finish()
        default:
            continuation.yield(ControlReply(type: "error", message: "unknown command \"\(request.command.prefix(40))\"; known: sync, status"))
            continuation.finish()
        }
        return stream
    }
}

extension ByteBuffer {
    init(data: Data) {
        self.init(bytes: data)
    }
}

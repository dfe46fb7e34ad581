import Foundation
import Logging
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Serves the control socket for `smileyctl sync`: a Unix stream socket, mode 0660, in the runtime
/// directory. NIO accepts connections; nothing runs while nobody connects.
public struct ControlServer: Sendable {
    public let path: String
    let uploader: Uploader
    let logger: Logger

    public init(path: String, uploader: Uploader, logger: Logger) {
        self.path = path
        self.uploader = uploader
        self.logger = logger
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
        defer { unlink(path) }
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask {
                        await self.serve(connection)
                    }
                }
            }
        }
    }

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var pending = ByteBuffer()
                var line: String?
                for try await chunk in inbound {
                    var chunk = chunk
                    pending.writeBuffer(&chunk)
                    if let newline = pending.readableBytesView.firstIndex(of: 0x0A) {
                        let length = newline - pending.readerIndex
                        line = pending.readString(length: length)
                        break
                    }
                    if pending.readableBytes > ControlProtocol.maxRequestBytes { break }
                }
                guard let line else {
                    try await outbound.write(ByteBuffer(data: ControlReply(type: "error", message: "expected one JSON request line").line()))
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

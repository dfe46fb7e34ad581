import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import SmileyStore
@testable import SmileySync

/// A sender the control socket never reaches in these tests (they send no sync request).
struct UnusedSender: BatchSender {
    func send(_ batch: SyncBatch, nowMs: @Sendable () -> Int64) async -> SendOutcome {
        .retry(RetryReason(kind: .network, status: nil, retryAfter: nil, message: "not used"))
    }
}

/// The control socket's bounds, on a manual clock: a test awaits connection counts and armed timers.
@Suite("The control socket's bounds", .serialized, .timeLimit(.minutes(2)))
struct ControlServerTests {
    /// A client connection: the lines the server sends, until it closes.
    static func connect(_ path: String) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Everything the server sends on `connection` (after `request`, if any) until it closes.
    static func exchange(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, request: String? = nil) async throws -> String {
        try await connection.executeThenClose { inbound, outbound in
            if let request { try await outbound.write(ByteBuffer(string: request + "\n")) }
            var text = ""
            for try await chunk in inbound { text += String(buffer: chunk) }
            return text
        }
    }

    struct Fixture {
        let folder = TemporaryFolder()
        let clock = ManualClock()
        let counts = EventLog<Int>()
        let server: ControlServer
        let task: Task<Void, any Error>

        init(maxConnections: Int) throws {
            let terminal = try TerminalDatabase(folder: folder)
            let uploader = Uploader(store: terminal.store, sender: UnusedSender(), settings: fastSettings(), url: "http://unused",
                                    settledHorizon: 0, wallNowMs: wallNow, logger: quietLogger)
            let counts = self.counts
            server = ControlServer(path: folder.file("control.sock"), uploader: uploader, logger: quietLogger,
                                   maxConnections: maxConnections, requestTimeout: .seconds(5), clock: clock,
                                   onConnectionCount: { counts.record($0) })
            let server = self.server
            task = Task { try await server.run() }
        }

        /// Connects once the server says it listens.
        func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
            await counts.wait { _ in true }
            return try await ControlServerTests.connect(server.path)
        }
    }

    @Test("more connections than the cap get a busy line and are closed; a freed slot is usable again")
    func cap() async throws {
        let fixture = try Fixture(maxConnections: 2)
        defer { fixture.task.cancel() }
        let first = try await fixture.connect()
        await fixture.counts.wait { $0 == 1 }
        let second = try await fixture.connect()
        await fixture.counts.wait { $0 == 2 }
        let refused = try await Self.exchange(try await fixture.connect())
        #expect(refused.contains(#""type":"error""#) && refused.contains("busy: 2 control connections are open"), "\(refused)")
        // A connection that asks gets its answer; its slot is free again afterwards.
        let status = try await Self.exchange(first, request: #"{"command":"status"}"#)
        #expect(status.contains(#""type":"status""#), "\(status)")
        await fixture.counts.wait { $0 == 1 }
        let again = try await Self.exchange(try await fixture.connect(), request: #"{"command":"status"}"#)
        #expect(again.contains(#""type":"status""#), "\(again)")
        try await second.executeThenClose { _, _ in }
        await fixture.counts.wait { $0 == 0 }
    }

    @Test("a connection that sends no request within 5 s is told so and closed; its slot is freed")
    func requestTimeout() async throws {
        let fixture = try Fixture(maxConnections: 1)
        defer { fixture.task.cancel() }
        let silent = try await fixture.connect()
        await fixture.counts.wait { $0 == 1 }
        await fixture.clock.waitUntilSleepers { $0 == [.seconds(5)] }
        fixture.clock.advance(by: .seconds(4))
        #expect(fixture.counts.latest == 1)
        fixture.clock.advance(by: .seconds(1))
        let answer = try await Self.exchange(silent)
        #expect(answer.contains("no request line within 5.0 seconds; closed"), "\(answer)")
        await fixture.counts.wait { $0 == 0 }
        let next = try await Self.exchange(try await fixture.connect(), request: #"{"command":"status"}"#)
        #expect(next.contains(#""type":"status""#), "\(next)")
    }
}

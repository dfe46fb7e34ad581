import Foundation
import SmileyCore
import SmileyTestSupport
import Testing
@testable import SmileyInput
#if canImport(Glibc)
import Glibc
#endif

/// A flag set from any thread, awaited by tests.
private final class Flag: Sendable {
    private let value = Observed(false)
    func set() { value.set(true) }
    var isSet: Bool { value.value }

    /// Awaits the flag; false if it is not set within `limit` (a failure guard).
    func wait(upTo limit: Duration = .seconds(5)) async -> Bool {
        await value.holds(within: limit) { $0 }
    }
}

private final class Keys: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [UInt8] = []
    func append(_ key: UInt8) { lock.lock(); keys.append(key); lock.unlock() }
    var all: [UInt8] { lock.lock(); defer { lock.unlock() }; return keys }
}

private struct Pipe: ~Copyable {
    let read: Int32
    let write: Int32
    init() throws {
        var fds: [Int32] = [-1, -1]
        guard Glibc.pipe(&fds) == 0 else { throw POSIXError(.EIO) }
        read = fds[0]
        write = fds[1]
    }
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(write, $0.baseAddress, $0.count) }
    }
    func closeWrite() { close(write) }
    func closeRead() { close(read) }
}

@Suite("KeyboardSource", .timeLimit(.minutes(1)))
struct KeyboardSourceTests {
    @Test("keys through a pipe: 1, 2, 3 press buttons 0, 1, 2; x is ignored; q finishes")
    func keysThroughPipe() async throws {
        let pipe = try Pipe()
        defer { pipe.closeRead(); pipe.closeWrite() }
        let unknown = Keys()
        let exited = Flag()
        let source = KeyboardSource(buttonCount: 3, fileDescriptor: pipe.read, onUnknownKey: { unknown.append($0) },
                                    readerExited: { exited.set() })
        #expect(source.debounced)
        #expect(source.timeBase == .live)
        let before = MonotonicClockForTests.now()
        pipe.send("12x3q9")
        var edges: [Edge] = []
        for try await edge in source.edges() { edges.append(edge) }

        #expect(edges.map(\.button) == [0, 0, 1, 1, 2, 2])
        #expect(edges.map(\.kind) == [.rising, .falling, .rising, .falling, .rising, .falling])
        for pair in stride(from: 0, to: edges.count, by: 2) {
            #expect(edges[pair + 1].timestampNs == edges[pair].timestampNs + 1_000_000)
            #expect(edges[pair].timestampNs >= before)
        }
        #expect(zip(edges, edges.dropFirst()).allSatisfy { $0.timestampNs <= $1.timestampNs })
        #expect(unknown.all == [UInt8(ascii: "x")])
        #expect(await exited.wait())
    }

    @Test("4 is not a button with 3 buttons")
    func keyBeyondButtons() async throws {
        let pipe = try Pipe()
        defer { pipe.closeRead(); pipe.closeWrite() }
        let unknown = Keys()
        let source = KeyboardSource(buttonCount: 3, fileDescriptor: pipe.read, onUnknownKey: { unknown.append($0) })
        pipe.send("40\n2Q")
        var edges: [Edge] = []
        for try await edge in source.edges() { edges.append(edge) }
        #expect(edges.map(\.button) == [1, 1])
        #expect(unknown.all == [UInt8(ascii: "4"), UInt8(ascii: "0")])
    }

    @Test("end of input finishes the stream normally")
    func endOfInput() async throws {
        let pipe = try Pipe()
        defer { pipe.closeRead() }
        let exited = Flag()
        let source = KeyboardSource(buttonCount: 5, fileDescriptor: pipe.read, onUnknownKey: nil,
                                    readerExited: { exited.set() })
        let stream = source.edges()
        pipe.send("5")
        pipe.closeWrite()
        var edges: [Edge] = []
        for try await edge in stream { edges.append(edge) }
        #expect(edges.map(\.button) == [4, 4])
        #expect(await exited.wait())
    }

    @Test("keys arriving while the consumer waits are delivered as they come")
    func liveKeys() async throws {
        let pipe = try Pipe()
        defer { pipe.closeRead(); pipe.closeWrite() }
        let source = KeyboardSource(buttonCount: 2, fileDescriptor: pipe.read)
        var iterator = source.edges().makeAsyncIterator()
        pipe.send("2")
        #expect(try await iterator.next()?.button == 1)
        #expect(try await iterator.next()?.kind == .falling)
        pipe.send("1")
        let press = try await iterator.next()
        #expect(press?.button == 0 && press?.kind == .rising)
        pipe.send("q")
        #expect(try await iterator.next()?.kind == .falling)
        #expect(try await iterator.next() == nil)
    }

    @Test("cancelling the consumer while the reader is blocked ends the reader promptly")
    func cancelWhileBlocked() async throws {
        let pipe = try Pipe()
        defer { pipe.closeRead(); pipe.closeWrite() }
        let exited = Flag(), waiting = Flag()
        let source = KeyboardSource(buttonCount: 2, fileDescriptor: pipe.read, onUnknownKey: nil,
                                    readerExited: { exited.set() }, readerWaiting: { waiting.set() })
        let task = Task {
            var count = 0
            for try await _ in source.edges() { count += 1 }
            return count
        }
        #expect(await waiting.wait(upTo: .seconds(30)))
        #expect(!exited.isSet)
        let started = ContinuousClock.now
        task.cancel()
        let count = try await task.value
        #expect(count == 0)
        #expect(await exited.wait(upTo: .seconds(5)))
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("a terminal is put in cbreak mode (ISIG kept) and restored when the stream ends",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/ptmx")))
    func terminalMode() async throws {
        let (master, slave) = try #require(openPseudoTerminal())
        defer { close(master); close(slave) }

        var before = termios()
        tcgetattr(slave, &before)
        #expect(before.c_lflag & tcflag_t(ICANON) != 0)

        let exited = Flag()
        let source = KeyboardSource(buttonCount: 2, fileDescriptor: slave, onUnknownKey: nil,
                                    readerExited: { exited.set() })
        var iterator = source.edges().makeAsyncIterator()
        var during = termios()
        tcgetattr(slave, &during)
        #expect(during.c_lflag & tcflag_t(ICANON) == 0)
        #expect(during.c_lflag & tcflag_t(ECHO) == 0)
        #expect(during.c_lflag & tcflag_t(ISIG) != 0)

        // Without a newline: only cbreak mode lets the key through.
        _ = [UInt8(ascii: "2")].withUnsafeBytes { write(master, $0.baseAddress, 1) }
        #expect(try await iterator.next()?.button == 1)
        #expect(try await iterator.next()?.kind == .falling)
        _ = [UInt8(ascii: "q")].withUnsafeBytes { write(master, $0.baseAddress, 1) }
        #expect(try await iterator.next() == nil)
        #expect(await exited.wait())

        var after = termios()
        tcgetattr(slave, &after)
        #expect(after.c_lflag == before.c_lflag)
    }

    @Test("a terminal is restored when the consumer is cancelled",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/ptmx")))
    func terminalRestoredOnCancel() async throws {
        let (master, slave) = try #require(openPseudoTerminal())
        defer { close(master); close(slave) }
        var before = termios()
        tcgetattr(slave, &before)

        let exited = Flag(), waiting = Flag()
        let source = KeyboardSource(buttonCount: 2, fileDescriptor: slave, onUnknownKey: nil,
                                    readerExited: { exited.set() }, readerWaiting: { waiting.set() })
        let task = Task { for try await _ in source.edges() {} }
        #expect(await waiting.wait(upTo: .seconds(30)))
        task.cancel()
        try await task.value
        #expect(await exited.wait())
        var after = termios()
        tcgetattr(slave, &after)
        #expect(after.c_lflag == before.c_lflag)
    }
}

/// A pseudo-terminal (master, slave), opened through /dev/ptmx (posix_openpt and friends are not
/// exported by Swift's Glibc module).
private func openPseudoTerminal() -> (Int32, Int32)? {
    let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard master >= 0 else { return nil }
    // <asm-generic/ioctls.h>: TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned int).
    let TIOCSPTLCK: UInt = 0x4004_5431
    let TIOCGPTN: UInt = 0x8004_5430
    var unlock: Int32 = 0
    var number: UInt32 = 0
    guard ioctl(master, UInt(TIOCSPTLCK), &unlock) == 0, ioctl(master, UInt(TIOCGPTN), &number) == 0 else {
        close(master)
        return nil
    }
    let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard slave >= 0 else {
        close(master)
        return nil
    }
    return (master, slave)
}

private enum MonotonicClockForTests {
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

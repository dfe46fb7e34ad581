import Foundation
import SmileyConfig
import SmileyCore
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Keys as buttons, for trying Smiley without hardware: `1`…`N` press button 0…N−1, `q` quits.
///
/// Each key is a whole press: a logical `rising` edge at the monotonic time the key is read and a
/// `falling` edge 1 ms later, both emitted at once (keys are clean, so the edges are
/// ``debounced``). `q`/`Q` or end of input finishes the stream normally; other keys are ignored
/// (reported to `onUnknownKey`; line breaks and spaces are ignored silently).
///
/// When the file descriptor is a terminal it is put in cbreak mode (no line buffering, no echo,
/// but Ctrl-C still sends SIGINT) while the stream runs, and its settings are restored when the
/// stream ends, however it ends. A pipe or a file is just read.
///
/// A dedicated thread sleeps in `poll(2)` (``FileDescriptorWaiter``) until a key arrives: no CPU
/// while idle. Ending the stream from the consumer's side wakes and ends that thread.
public struct KeyboardSource: EdgeSource {
    public let name = "keyboard"
    public var debounced: Bool { true }
    public var timeBase: TimeBase { .live }

    /// Number of buttons: keys `1` to `buttonCount` (at most 9).
    public let buttonCount: Int
    /// The descriptor keys are read from (0 = standard input). It is not closed.
    public let fileDescriptor: Int32
    /// Called, on the reader thread, with each key that is neither a button nor `q`.
    public let onUnknownKey: (@Sendable (UInt8) -> Void)?
    /// Called when the reader thread has finished (tests use it).
    let readerExited: (@Sendable () -> Void)?
    /// Called each time the reader thread is about to wait for a key (tests use it).
    let readerWaiting: (@Sendable () -> Void)?

    /// How long after a key's press its release is dated.
    public static let pressDurationNs: UInt64 = 1_000_000

    public init(buttonCount: Int, fileDescriptor: Int32 = 0, onUnknownKey: (@Sendable (UInt8) -> Void)? = nil) {
        self.init(buttonCount: buttonCount, fileDescriptor: fileDescriptor, onUnknownKey: onUnknownKey, readerExited: nil)
    }

    public init(buttons: [ButtonConfig], fileDescriptor: Int32 = 0, onUnknownKey: (@Sendable (UInt8) -> Void)? = nil) {
        self.init(buttonCount: buttons.count, fileDescriptor: fileDescriptor, onUnknownKey: onUnknownKey)
    }

    init(buttonCount: Int, fileDescriptor: Int32, onUnknownKey: (@Sendable (UInt8) -> Void)?,
         readerExited: (@Sendable () -> Void)?, readerWaiting: (@Sendable () -> Void)? = nil) {
        precondition((1...9).contains(buttonCount), "the keyboard has keys 1 to 9 for buttons")
        self.buttonCount = buttonCount
        self.fileDescriptor = fileDescriptor
        self.onUnknownKey = onUnknownKey
        self.readerExited = readerExited
        self.readerWaiting = readerWaiting
    }

    public func edges() -> AsyncThrowingStream<Edge, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Edge.self, throwing: (any Error).self)
        let waiter: FileDescriptorWaiter
        do {
            waiter = try FileDescriptorWaiter()
        } catch {
            continuation.finish(throwing: InputError.system(source: name, error))
            readerExited?()
            return stream
        }
        let terminal: TerminalMode
        do {
            terminal = try TerminalMode(fileDescriptor: fileDescriptor)
        } catch {
            continuation.finish(throwing: InputError.system(source: name, error))
            readerExited?()
            return stream
        }
        continuation.onTermination = { _ in
            terminal.restore()
            waiter.cancel()
        }
        let reader = Reader(fd: fileDescriptor, buttonCount: buttonCount, waiter: waiter, terminal: terminal,
                            continuation: continuation, onUnknownKey: onUnknownKey, exited: readerExited,
                            waiting: readerWaiting)
        let thread = Thread { reader.run() }
        thread.name = "smiley-keyboard"
        thread.start()
        return stream
    }

    /// The reader thread's work.
    private struct Reader: Sendable {
        let fd: Int32
        let buttonCount: Int
        let waiter: FileDescriptorWaiter
        let terminal: TerminalMode
        let continuation: AsyncThrowingStream<Edge, any Error>.Continuation
        let onUnknownKey: (@Sendable (UInt8) -> Void)?
        let exited: (@Sendable () -> Void)?
        let waiting: (@Sendable () -> Void)?

        func run() {
            defer {
                terminal.restore()
                exited?()
            }
            var lastReleaseNs: UInt64 = 0
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let wake: FileDescriptorWaiter.Wake
                waiting?()
                do {
                    wake = try waiter.wait(for: fd)
                } catch {
                    continuation.finish(throwing: InputError.system(source: "keyboard", error))
                    return
                }
                if wake == .cancelled {
                    continuation.finish()
                    return
                }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count == 0 {
                    continuation.finish() // end of input
                    return
                }
                if count < 0 {
                    let code = errno
                    if code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
                    continuation.finish(throwing: InputError.system(
                        source: "keyboard", call: "read", errno: code))
                    return
                }
                for byte in buffer[0..<count] {
                    switch byte {
                    case UInt8(ascii: "q"), UInt8(ascii: "Q"):
                        continuation.finish()
                        return
                    case UInt8(ascii: "1")..<(UInt8(ascii: "1") + UInt8(buttonCount)):
                        // Keep edges in time order even when keys arrive together (pasted text).
                        let pressNs = max(MonotonicClock.nowNs(), lastReleaseNs + 1)
                        let releaseNs = pressNs + KeyboardSource.pressDurationNs
                        lastReleaseNs = releaseNs
                        let button = Int(byte - UInt8(ascii: "1"))
                        if case .terminated = continuation.yield(Edge(button: button, kind: .rising, timestampNs: pressNs)) {
                            return
                        }
                        continuation.yield(Edge(button: button, kind: .falling, timestampNs: releaseNs))
                    case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                        continue
                    default:
                        onUnknownKey?(byte)
                    }
                }
            }
        }
    }
}

/// A terminal switched to cbreak mode, restored once.
final class TerminalMode: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var saved: termios?

    /// Switches `fileDescriptor` to cbreak mode when it is a terminal; does nothing otherwise.
    init(fileDescriptor: Int32) throws(SystemCallError) {
        fd = fileDescriptor
        guard isatty(fileDescriptor) == 1 else { return }
        var original = termios()
        guard tcgetattr(fileDescriptor, &original) == 0 else {
            throw SystemCallError(call: "tcgetattr", errno: errno)
        }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        raw.c_lflag |= tcflag_t(ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fileDescriptor, TCSANOW, &raw) == 0 else {
            throw SystemCallError(call: "tcsetattr", errno: errno)
        }
        saved = original
    }

    /// Whether the terminal is currently switched (tests use it).
    var isActive: Bool {
        lock.lock()
        defer { lock.unlock() }
        return saved != nil
    }

    /// Puts the original settings back; later calls do nothing.
    func restore() {
        lock.lock()
        defer { lock.unlock() }
        guard var original = saved else { return }
        saved = nil
        _ = tcsetattr(fd, TCSANOW, &original)
    }
}

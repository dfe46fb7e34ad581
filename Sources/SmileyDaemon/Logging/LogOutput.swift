import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where smileyd's log lines go: a file descriptor (standard error, which systemd hands to the
/// journal). A line is written at once with one `write(2)`, except inside ``collecting(_:)``:
/// there lines queue and leave together when the outermost call returns — smileyd acknowledges a
/// committed batch of presses, one line each, with one write instead of one per press. Lines
/// from other threads meanwhile queue behind them (microseconds), in order; nothing is dropped.
public final class LogOutput: Sendable {
    public static let standardError = LogOutput(fileDescriptor: 2)

    private struct State {
        var depth = 0
        var pending: [UInt8] = []
    }

    private let fileDescriptor: Int32
    private let state = Mutex(State())

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    public func write(_ line: String) {
        let held = state.withLock { state in
            guard state.depth > 0 else { return false }
            state.pending.append(contentsOf: line.utf8)
            return true
        }
        guard !held else { return }
        var line = line
        line.withUTF8 { writeAll(UnsafeRawBufferPointer($0)) }
    }

    /// Runs `body`; lines written meanwhile leave in one write when it returns.
    public func collecting<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { $0.depth += 1 }
        defer {
            let out = state.withLock { state -> [UInt8] in
                state.depth -= 1
                guard state.depth == 0 else { return [] }
                defer { state.pending.removeAll(keepingCapacity: state.pending.capacity <= 1 << 20) }
                return state.pending
            }
            if !out.isEmpty { out.withUnsafeBytes { writeAll($0) } }
        }
        return try body()
    }

    /// Writes every byte, retrying short writes and EINTR; a log that cannot be written (a closed
    /// descriptor, a full disk under the journal) is given up silently: logging never stops a press.
    private func writeAll(_ buffer: UnsafeRawBufferPointer) {
        guard var base = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let written = Glibc.write(fileDescriptor, base, left)
            if written > 0 {
                left -= written
                base += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}

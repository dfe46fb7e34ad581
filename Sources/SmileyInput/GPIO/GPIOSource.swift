import CGPIOD
import Foundation
import SmileyConfig
import SmileyCore
import SmileyPlatform
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Buttons on GPIO lines, through libgpiod (1.6 or 2.x, whichever this build was compiled against).
///
/// The lines are found and requested when the source is made, so that a missing, busy or
/// forbidden line is reported before the daemon says it is ready: every button's line as an
/// input with edge events on both edges, its bias and active-low (the kernel then reports
/// logical edges: `rising` = pressed), CLOCK_MONOTONIC timestamps.
///
/// - libgpiod 2.x: the kernel debounces each line for `debounce-ms` (a glitch shorter than that
///   is no edge at all), so the edges are ``debounced``; the events' sequence numbers are
///   watched, and a gap (the kernel's event buffer overflowed) is reported through `onWarning`,
///   after which the lines' levels are read again so that no press stays stuck.
/// - libgpiod 1.6: the v1 interface has neither debounce nor sequence numbers; the press
///   interpreter debounces in software from the kernel's event timestamps. The kernel reports
///   the level it reads when it handles an interrupt and can miss an edge that follows within
///   that time, so after each batch of events the lines' levels are read back and a difference
///   becomes an edge (a 1 ms glitch must not leave a button "down").
///
/// ``edges()`` starts a dedicated thread that sleeps in `poll(2)` on the request's descriptors
/// (``FileDescriptorWaiter``): no CPU while nobody presses. Ending the stream (the daemon's
/// shutdown) wakes it; the thread then releases the lines.
public final class GPIOSource: EdgeSource, @unchecked Sendable {
    public let name = "gpio"
    public let debounced: Bool
    public var timeBase: TimeBase { .live }
    /// Where each button's line was found, by button index.
    public let lines: [ResolvedLine]
    /// The debounce period asked of the kernel (2.x), in microseconds.
    public let debounceUs: Int
    /// The consumer name the lines are requested with (what gpioinfo shows).
    public let consumer: String

    private let state: Mutex<State>
    private let onWarning: @Sendable (String) -> Void

    private struct State: @unchecked Sendable {
        var chips: [GPIOChip] = []
        /// One request per chip, with its button index by offset.
        var requests: [(handle: OpaquePointer, chip: Int, buttonByOffset: [Int: Int])] = []
        var started = false
        var released = false
        /// Set while the reader thread runs: it owns the handles then, and releases them itself.
        var waiter: FileDescriptorWaiter?
    }

    /// Finds and requests the buttons' lines.
    /// - Parameters:
    ///   - debounceMs: the press rules' debounce; the kernel's debounce period on 2.x.
    ///   - scan: the chips to search (default: scan `/dev` now).
    ///   - onWarning: called with messages for the log (a button down at start, a kernel buffer overflow).
    public init(buttons: [ButtonConfig], debounceMs: Int, consumer: String = "smileyd",
                scan: GPIOChipScan? = nil,
                onWarning: @escaping @Sendable (String) -> Void = { _ in }) throws(InputError) {
        let scan = scan ?? GPIOChipScan.scan()
        let resolver = GPIOLineResolver(scan: scan)
        var resolved: [ResolvedLine] = []
        for button in buttons {
            guard let spec = button.line else {
                throw .gpioUnavailable(reason: "button \(button.name) has no line; input gpio needs one per button")
            }
            resolved.append(try resolver.resolve(spec, user: "button \(button.name)"))
        }
        // Two spellings of the same line (GPIO5 and gpiochip0:5).
        for (index, line) in resolved.enumerated() {
            if let first = resolved[..<index].firstIndex(where: { $0.chipPath == line.chipPath && $0.offset == line.offset }) {
                throw .gpioLineUsedTwice(line: line.spec.description, user: line.user,
                                         otherLine: resolved[first].spec.description, otherUser: resolved[first].user,
                                         location: line.location)
            }
        }
        let debounceUs = max(0, debounceMs) * 1000
        self.lines = resolved
        self.debounced = GPIOLibrary.kernelDebounce
        self.debounceUs = debounceUs
        self.consumer = consumer
        self.onWarning = onWarning

        var state = State()
        do throws(InputError) {
            var chipIndex: [String: Int] = [:]
            for line in resolved where chipIndex[line.chipPath] == nil {
                do {
                    state.chips.append(try GPIOChip(path: line.chipPath))
                } catch {
                    throw GPIOLineResolver.openError(path: line.chipPath, errno: error.errno)
                }
                chipIndex[line.chipPath] = state.chips.count - 1
            }
            for (path, index) in chipIndex.sorted(by: { $0.value < $1.value }) {
                let members = resolved.indices.filter { resolved[$0].chipPath == path }
                let settings = members.map { button in
                    smiley_gpio_input_line(offset: UInt32(resolved[button].offset),
                                           active_low: buttons[button].activeLow ? 1 : 0,
                                           bias: Self.bias(buttons[button].bias))
                }
                var failed: Int32 = -1
                let handle = settings.withUnsafeBufferPointer { buffer in
                    smiley_gpio_request_inputs(state.chips[index].handle, consumer, buffer.baseAddress,
                                               UInt32(buffer.count), UInt(debounceUs), &failed)
                }
                guard let handle else {
                    let code = errno
                    let chip = state.chips[index]
                    // 2.x requests all lines of a chip at once and cannot say which one failed:
                    // when busy, blame the line that another consumer holds.
                    let busy = code == EBUSY
                        ? members.first { (try? chip.lineInfo(resolved[$0].offset).used) == true } : nil
                    let culprit = busy ?? (failed >= 0 ? members[Int(failed)] : members[0])
                    throw GPIOErrors.requestFailed(line: resolved[culprit], errno: code, chip: chip)
                }
                var byOffset: [Int: Int] = [:]
                for button in members { byOffset[resolved[button].offset] = button }
                state.requests.append((handle, index, byOffset))
            }
        } catch {
            Self.release(&state)
            throw error
        }
        self.state = Mutex(state)

        // A button that reads pressed now is stuck or held: say so (it is not a press).
        for (index, line) in resolved.enumerated() where level(button: index) == true {
            onWarning("button \(buttons[index].name) (\(line.location)) is down at start: stuck or held? "
                + "It counts once it has been released and pressed again")
        }
    }

    deinit {
        state.withLock { Self.release(&$0) }
    }

    /// `very-unhappy=GPIO5 (gpiochip0:5 [pinctrl-bcm2711]), …; libgpiod 1.6.3, software debounce`.
    public var summary: String {
        let mapping = lines.map { "\($0.user.replacingOccurrences(of: "button ", with: ""))=\($0.location)" }
            .joined(separator: ", ")
        let debounce = debounced ? "kernel debounce \(debounceUs / 1000) ms" : "software debounce"
        return "\(mapping); libgpiod \(GPIOLibrary.version), \(debounce)"
    }

    /// The logical level of a button's line now (true = pressed); nil when it cannot be read.
    public func level(button: Int) -> Bool? {
        guard lines.indices.contains(button) else { return nil }
        return state.withLock { state -> Bool? in
            guard !state.released,
                  let request = state.requests.first(where: { $0.buttonByOffset[lines[button].offset] == button }) else { return nil }
            let value = smiley_gpio_request_get_value(request.handle, UInt32(lines[button].offset))
            return value < 0 ? nil : value == 1
        }
    }

    /// Releases the lines: at once when the stream is not running, else by waking the reader
    /// thread, which releases them as it ends (also done when the stream ends, and on deinit).
    public func release() {
        state.withLock { state in
            if let waiter = state.waiter {
                waiter.cancel()
            } else {
                Self.release(&state)
            }
        }
    }

    public func edges() -> AsyncThrowingStream<Edge, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Edge.self, throwing: (any Error).self)
        let waiter: FileDescriptorWaiter
        do {
            waiter = try FileDescriptorWaiter()
        } catch {
            release()
            continuation.finish(throwing: InputError.system(source: name, error))
            return stream
        }
        let refused = state.withLock { state -> Bool in
            guard !state.started, !state.released else { return true }
            state.started = true
            state.waiter = waiter
            return false
        }
        if refused {
            continuation.finish(throwing: InputError.gpioUnavailable(reason: "the GPIO source was already started or released"))
            return stream
        }
        continuation.onTermination = { _ in waiter.cancel() }
        let thread = Thread { [self] in
            self.readLoop(waiter: waiter, continuation: continuation)
            self.state.withLock { state in
                state.waiter = nil
                Self.release(&state)
            }
        }
        thread.name = "smiley-gpio"
        thread.start()
        return stream
    }

    // MARK: - The reader thread

    private struct Descriptor {
        var request: Int
        var index: Int32
        var fd: Int32
    }

    private func readLoop(waiter: FileDescriptorWaiter, continuation: AsyncThrowingStream<Edge, any Error>.Continuation) {
        // Descriptors and handles are fixed from here on; release happens after this loop.
        let (descriptors, handles, maps): ([Descriptor], [OpaquePointer], [[Int: Int]]) = state.withLock { state in
            var descriptors: [Descriptor] = []
            for (r, request) in state.requests.enumerated() {
                for i in 0..<smiley_gpio_request_fd_count(request.handle) {
                    descriptors.append(Descriptor(request: r, index: i, fd: smiley_gpio_request_fd(request.handle, i)))
                }
            }
            return (descriptors, state.requests.map(\.handle), state.requests.map(\.buttonByOffset))
        }
        var lastGlobalSeqno = [UInt64](repeating: 0, count: handles.count)
        var lastLevel = (0..<lines.count).map { level(button: $0) ?? false }
        let verifyLevels = !debounced || debounceUs == 0
        var lastEdgeNs = [UInt64](repeating: 0, count: lines.count)
        var buffer = [smiley_gpio_event](repeating: smiley_gpio_event(), count: 64)

        while true {
            let wake: FileDescriptorWaiter.MultiWake
            do {
                wake = try waiter.wait(forAny: descriptors.map(\.fd))
            } catch {
                continuation.finish(throwing: InputError.system(source: name, error))
                return
            }
            switch wake {
            case .cancelled:
                continuation.finish()
                return
            case .hangup(let index):
                continuation.finish(throwing: InputError.gpioUnavailable(
                    reason: "the kernel closed the event descriptor of \(lines.first { maps[descriptors[index].request][$0.offset] != nil }?.location ?? "a GPIO line") (chip removed?)"))
                return
            case .readable(let ready):
                var edges: [Edge] = []
                var resync: Set<Int> = []
                var touched: Set<Int> = []
                for position in ready {
                    let descriptor = descriptors[position]
                    let count = buffer.withUnsafeMutableBufferPointer { events in
                        smiley_gpio_request_read_events(handles[descriptor.request], descriptor.index,
                                                        events.baseAddress, Int32(events.count))
                    }
                    if count < 0 {
                        let code = errno
                        if code == EINTR || code == EAGAIN { continue }
                        continuation.finish(throwing: InputError.system(source: name, call: "read edge events", errno: code))
                        return
                    }
                    for event in buffer[0..<Int(count)] {
                        let request = descriptor.request
                        if event.global_seqno != 0 {
                            let expected = lastGlobalSeqno[request] &+ 1
                            if event.global_seqno != expected {
                                let lost = event.global_seqno > expected ? event.global_seqno - expected : 0
                                onWarning("kernel GPIO event buffer overflowed: \(lost) edge event(s) lost on "
                                    + "\(lines.first { maps[request][$0.offset] != nil }?.chipName ?? "a chip"); "
                                    + "re-reading the lines' levels")
                                resync.formUnion(maps[request].values)
                            }
                            lastGlobalSeqno[request] = event.global_seqno
                        }
                        guard let button = maps[request][Int(event.offset)] else { continue }
                        touched.insert(button)
                        let rising = event.rising != 0
                        lastLevel[button] = rising
                        lastEdgeNs[button] = max(lastEdgeNs[button], event.timestamp_ns)
                        edges.append(Edge(button: button, kind: rising ? .rising : .falling, timestampNs: event.timestamp_ns))
                    }
                }
                // Several descriptors (1.6: one per line) may be read in one wake: time order.
                edges.sort { $0.timestampNs < $1.timestampNs }
                // Without kernel debounce the kernel reports the level it reads when it handles the
                // interrupt, and an edge that comes while it is still handling the previous one is
                // lost (seen with a 1 ms glitch on libgpiod 1.6: "rising" and no "falling"). So the
                // level of every line that had events is read back now: a level that differs from
                // the last edge seen gets the missing edge, dated just after that last edge (an
                // edge is lost only when it followed the previous one within the kernel's handling
                // time, so later would turn a glitch into a press when this thread reads late).
                // After an overflow (2.x) every line of the request is read back, and a difference
                // is dated now (when the lost edges happened is unknown). With kernel debounce only
                // an overflow needs it (the raw level may be a bounce the kernel still filters).
                var missing: [Edge] = []
                for button in (verifyLevels ? touched : []).union(resync).sorted() {
                    guard let now = level(button: button), now != lastLevel[button] else { continue }
                    lastLevel[button] = now
                    let at = resync.contains(button) ? max(MonotonicClock.nowNs(), (edges.last?.timestampNs ?? 0) + 1)
                        : lastEdgeNs[button] + 1
                    missing.append(Edge(button: button, kind: now ? .rising : .falling, timestampNs: at))
                }
                if !missing.isEmpty {
                    edges = (edges + missing).enumerated()
                        .sorted { ($0.element.timestampNs, $0.offset) < ($1.element.timestampNs, $1.offset) }
                        .map(\.element)
                }
                for edge in edges {
                    if case .terminated = continuation.yield(edge) { return }
                }
            }
        }
    }

    private static func release(_ state: inout State) {
        guard !state.released else { return }
        state.released = true
        for request in state.requests { smiley_gpio_request_release(request.handle) }
        state.requests.removeAll()
        state.chips.removeAll()
    }

    static func bias(_ bias: Bias) -> Int32 {
        switch bias {
        case .asIs: Int32(SMILEY_GPIO_BIAS_AS_IS)
        case .disabled: Int32(SMILEY_GPIO_BIAS_DISABLED)
        case .pullUp: Int32(SMILEY_GPIO_BIAS_PULL_UP)
        case .pullDown: Int32(SMILEY_GPIO_BIAS_PULL_DOWN)
        }
    }
}

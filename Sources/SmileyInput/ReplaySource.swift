import Foundation
import SmileyConfig
import SmileyCore
import SmileyPlatform
import Synchronization

/// Replays a ``GpiomonTrace`` through the pipeline, as if its buttons were pressed now.
///
/// Everything is checked when the source is made, before any edge is emitted, so a bad trace
/// records nothing: every event must belong to a configured button (by line name, or by offset
/// through ``SmileyConfig/LineSpec/traceOffset``), and timestamps must not go back by more than
/// ``backwardsToleranceNs`` (gpiomon prints the events of several chips batch by batch, so
/// small disorder is normal: events are replayed in timestamp order, ties in file order).
///
/// Physical edges become logical ones with each button's `active-low`: for an active-low button
/// the physical FALLING edge is the press (a logical `rising`). Traces hold raw bounce, so the
/// edges are not ``debounced``: the press interpreter debounces them as it would live GPIO edges.
public struct ReplaySource: EdgeSource {
    /// How far back (1 s) a timestamp may go compared with the latest earlier one.
    public static let backwardsToleranceNs: UInt64 = 1_000_000_000

    public let name: String
    public var debounced: Bool { false }
    public let timeBase: TimeBase
    /// nil: as fast as the consumer takes the edges; else a factor (1 = real time, 10 = ten
    /// times faster).
    public let speed: Double?
    /// The logical edges that ``edges()`` emits, in order.
    public let plannedEdges: [Edge]
    /// The clock a paced replay waits on (tests pass one they advance).
    var pacingClock: any Clock<Duration> = ContinuousClock()

    /// - Parameters:
    ///   - speed: nil for as fast as possible, else a finite factor above 0.
    ///   - startWallMs: the wall time (ms since 1970) the trace's first event is recorded at.
    ///   - bootID: the boot id recorded with the presses (default `replay-<UUID>`, which keeps
    ///     replayed monotonic times apart from any real boot's).
    public init(trace: GpiomonTrace, buttons: [ButtonConfig], speed: Double? = nil, startWallMs: Int64,
                bootID: String = Self.makeBootID()) throws(InputError) {
        if let speed, !(speed.isFinite && speed > 0) {
            throw .invalidReplaySpeed(speed)
        }
        guard !trace.records.isEmpty else { throw .emptyTrace(file: trace.file) }

        let matcher = ButtonMatcher(buttons: buttons)
        var edges: [Edge] = []
        edges.reserveCapacity(trace.records.count)
        var latestNs: UInt64 = 0
        var sorted = true
        for record in trace.records {
            guard let button = matcher.match(record) else {
                throw .unmatchedTraceLine(file: trace.file, lineNumber: record.lineNumber,
                                          line: Self.describeLine(of: record), buttonLines: matcher.describeLines())
            }
            if record.timestampNs < latestNs {
                if latestNs - record.timestampNs > Self.backwardsToleranceNs {
                    throw .traceTimestampWentBackwards(file: trace.file, lineNumber: record.lineNumber,
                                                       timestampNs: record.timestampNs, latestNs: latestNs)
                }
                sorted = false
            }
            latestNs = max(latestNs, record.timestampNs)
            let logical: Edge.Kind
            switch (record.edge, buttons[button].activeLow) {
            case (.falling, true), (.rising, false): logical = .rising
            case (.rising, true), (.falling, false): logical = .falling
            }
            edges.append(Edge(button: button, kind: logical, timestampNs: record.timestampNs))
        }
        if !sorted {
            // Stable: equal timestamps keep their file order.
            edges = edges.enumerated()
                .sorted { ($0.element.timestampNs, $0.offset) < ($1.element.timestampNs, $1.offset) }
                .map(\.element)
        }

        self.name = "replay \((trace.file as NSString).lastPathComponent)"
        self.speed = speed
        self.plannedEdges = edges
        self.timeBase = .replay(startWallMs: startWallMs, firstEdgeNs: edges[0].timestampNs, bootID: bootID)
    }

    /// Reads, parses and checks the trace at `path`.
    public static func load(path: String, buttons: [ButtonConfig], speed: Double? = nil, startWallMs: Int64,
                            bootID: String = makeBootID()) throws(InputError) -> ReplaySource {
        let trace = try GpiomonTrace(contentsOf: path)
        return try ReplaySource(trace: trace, buttons: buttons, speed: speed, startWallMs: startWallMs, bootID: bootID)
    }

    /// `replay-<UUID>`.
    public static func makeBootID() -> String {
        "replay-\(KernelRandom.uuid().uuidString.lowercased())"
    }

    /// Emits ``plannedEdges``: the first at once when the consumer asks, edge i when
    /// (tᵢ − t₀) / speed has passed since then (scheduled against that first instant, so delays
    /// do not accumulate), or back to back when speed is nil. The stream produces an edge only
    /// when the consumer asks for one (no buffer), finishes after the last edge, and finishes
    /// early when the consuming task is cancelled.
    public func edges() -> AsyncThrowingStream<Edge, any Error> {
        let edges = plannedEdges
        let speed = speed
        let cursor = Cursor()
        let pace = Self.pacer(on: pacingClock)
        return AsyncThrowingStream(unfolding: {
            guard let index = cursor.advance(limit: edges.count) else { return nil }
            if Task.isCancelled { return nil }
            if let speed {
                let elapsedNs = Double(edges[index].timestampNs - edges[0].timestampNs) / speed
                let delay = Duration.nanoseconds(Int64(min(elapsedNs.rounded(), Double(Int64.max / 2))))
                do {
                    try await pace(delay)
                } catch {
                    return nil // cancelled
                }
            }
            return edges[index]
        })
    }

    static func describeLine(of record: GpiomonTrace.Record) -> String {
        if let offset = record.offset {
            if let name = record.lineName { return "offset \(offset) (\"\(name)\")" }
            return "offset \(offset)"
        }
        return "line \"\(record.lineName ?? "?")\""
    }

    /// Waits on `clock` until `delay` after the instant of its first call (the first emission).
    private static func pacer<C: Clock<Duration>>(on clock: C) -> @Sendable (_ delay: Duration) async throws -> Void {
        let start = Mutex<C.Instant?>(nil)
        return { delay in
            let origin = start.withLock { start in
                if let start { return start }
                let now = clock.now
                start = now
                return now
            }
            guard delay > .zero else { return }
            try await clock.sleep(until: origin.advanced(by: delay), tolerance: nil)
        }
    }

    /// The next index to emit.
    private final class Cursor: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0

        func advance(limit: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < limit else { return nil }
            defer { next += 1 }
            return next
        }
    }
}

/// Which configured button a trace event belongs to.
struct ButtonMatcher {
    let buttons: [ButtonConfig]
    private var byName: [String: Int] = [:]
    private var byOffset: [Int: [Int]] = [:]

    init(buttons: [ButtonConfig]) {
        self.buttons = buttons
        for (index, button) in buttons.enumerated() {
            guard let line = button.line else { continue }
            if case .name(let name) = line, byName[name] == nil { byName[name] = index }
            if let offset = line.traceOffset { byOffset[offset, default: []].append(index) }
        }
    }

    /// By name first (a record's name equal to a button's `.name` line), then by offset (the
    /// record's offset, or N for a record named only `GPION`); among buttons sharing an offset,
    /// the one on the record's chip.
    func match(_ record: GpiomonTrace.Record) -> Int? {
        if let name = record.lineName, let index = byName[name] { return index }
        guard let offset = record.offset ?? record.lineName.flatMap({ LineSpec.name($0).traceOffset }),
              let candidates = byOffset[offset], let first = candidates.first else { return nil }
        if candidates.count > 1, let chip = record.chip,
           let onChip = candidates.first(where: { Self.chip(of: buttons[$0].line) == Self.normalized(chip) }) {
            return onChip
        }
        return first
    }

    /// `offsets 5, 6, 13, 19`, `offsets 5, 6 and lines "BTN_A"`.
    func describeLines() -> String {
        let offsets = buttons.compactMap { $0.line?.traceOffset }.map(String.init)
        let names = buttons.compactMap { button -> String? in
            guard case .name(let name) = button.line, LineSpec.name(name).traceOffset == nil else { return nil }
            return "\"\(name)\""
        }
        var parts: [String] = []
        if !offsets.isEmpty { parts.append((offsets.count == 1 ? "offset " : "offsets ") + offsets.joined(separator: ", ")) }
        if !names.isEmpty { parts.append((names.count == 1 ? "line " : "lines ") + names.joined(separator: ", ")) }
        return parts.isEmpty ? "no lines" : parts.joined(separator: " and ")
    }

    private static func chip(of line: LineSpec?) -> String? {
        guard case .chipOffset(let chip, _) = line else { return nil }
        return normalized(chip)
    }

    private static func normalized(_ chip: String) -> String {
        chip.hasPrefix("/dev/") ? String(chip.dropFirst(5)) : chip
    }
}

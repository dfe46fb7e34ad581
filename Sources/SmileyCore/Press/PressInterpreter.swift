/// Turns edges into presses: kernel-style debounce, held/stuck detection and the misuse rules.
///
/// A pure state machine over monotonic timestamps; it never reads a clock. The driver feeds edges
/// with ``handle(_:)`` and, between edges, calls ``advance(to:)`` when ``nextDeadline`` is reached
/// (the live daemon arms one timer for it; a replay simply advances to the next edge's time).
///
/// Debounce works as the kernel's (libgpiod 2.x) does: a level change counts only once the line has
/// stayed at the new level for `debounce-ms`; a spike shorter than that is no edge at all. The press
/// is timestamped at its *first* edge, and is decided (reported) one debounce period after the last
/// bounce.
public struct PressInterpreter: Sendable {
    public let rules: PressRules
    public let buttonCount: Int
    /// The debounce applied here: `rules.debounceMs`, or 0 when the source already debounces.
    public let debounceNs: UInt64

    private var lines: [LineState]
    private var now: UInt64 = 0
    private var nextSequence: UInt64 = 1
    /// The last press of a button that was not flooding: the response interval runs from it.
    private var lastPressNs: UInt64?
    private var recent: [RecentPress] = []
    private var floods: [FloodState]

    struct LineState: Sendable {
        var raw = false
        var stable = false
        var lastEdgeNs: UInt64 = 0
        /// First edge since the line was last stable; nil while nothing is pending.
        var changeStartNs: UInt64?
        var pressSequence: UInt64?
        var pressStartNs: UInt64 = 0
        var heldReported = false
    }

    struct RecentPress: Sendable {
        var sequence: UInt64
        var button: Int
        var timestampNs: UInt64
        var misuse: MisuseReason?
        /// Pressed while its button was flooding: it pairs with no other press.
        var flooding = false
    }

    /// A button's flagged presses in the flood window, and its flood while one lasts.
    struct FloodState: Sendable {
        /// Times of the latest flagged presses (at most ``PressRules/floodPresses``).
        var flagged: [UInt64] = []
        var sinceNs: UInt64?
        var lastNs: UInt64 = 0
        var presses = 0
    }

    /// - Parameter softwareDebounce: false when the edges come already debounced (libgpiod 2.x
    ///   kernel debounce, the keyboard); the debounce period is then not applied twice.
    public init(rules: PressRules, buttonCount: Int, softwareDebounce: Bool = true) {
        self.rules = rules
        self.buttonCount = buttonCount
        self.debounceNs = softwareDebounce ? rules.debounceNs : 0
        self.lines = Array(repeating: LineState(), count: max(0, buttonCount))
        self.floods = Array(repeating: FloodState(), count: max(0, buttonCount))
    }

    /// The buttons flooding now.
    public var floodingButtons: [Int] {
        floods.indices.filter { floods[$0].sinceNs != nil }
    }

    /// The buttons currently reported held (down past `held-ms`).
    public var heldButtons: [Int] {
        lines.indices.filter { lines[$0].heldReported }
    }

    /// The monotonic time at which ``advance(to:)`` has work to do, if any.
    public var nextDeadline: UInt64? {
        earliestDeadline()?.at
    }

    /// Feed one edge. Deadlines due before it are processed first.
    public mutating func handle(_ edge: Edge) -> [PressEvent] {
        guard lines.indices.contains(edge.button) else { return [] }
        var events = advance(to: edge.timestampNs)
        // Edges of different lines can arrive slightly out of order; time never goes back here.
        let t = max(edge.timestampNs, now)
        let level = edge.kind == .rising
        var line = lines[edge.button]
        line.raw = level
        line.lastEdgeNs = t
        if line.changeStartNs == nil && level != line.stable {
            line.changeStartNs = t
        }
        lines[edge.button] = line
        events += advance(to: t)
        return events
    }

    /// Process everything due at or before `t` (monotonic ns), in time order.
    public mutating func advance(to t: UInt64) -> [PressEvent] {
        var events: [PressEvent] = []
        while let due = earliestDeadline(), due.at <= t {
            now = max(now, due.at)
            switch due.kind {
            case .settle: settle(due.line, at: due.at, into: &events)
            case .held: reportHeld(due.line, into: &events)
            case .floodEnd: endFlood(due.line, into: &events)
            }
        }
        now = max(now, t)
        return events
    }

    /// Settle every pending level change as if the lines then stayed still (end of a trace, shutdown).
    public mutating func finish() -> [PressEvent] {
        let pending = lines.indices.compactMap { index -> UInt64? in
            guard lines[index].changeStartNs != nil else { return nil }
            return lines[index].lastEdgeNs &+ debounceNs
        }
        guard let last = pending.max() else { return [] }
        return advance(to: last)
    }

    // MARK: - Deadlines

    private enum DeadlineKind { case settle, held, floodEnd }

    private func deadline(of index: Int) -> (at: UInt64, kind: DeadlineKind)? {
        let line = lines[index]
        if line.changeStartNs != nil {
            return (line.lastEdgeNs &+ debounceNs, .settle)
        }
        if line.stable, line.pressSequence != nil, !line.heldReported {
            return (line.pressStartNs &+ rules.heldNs, .held)
        }
        return nil
    }

    private func earliestDeadline() -> (at: UInt64, kind: DeadlineKind, line: Int)? {
        var best: (at: UInt64, kind: DeadlineKind, line: Int)?
        for index in lines.indices {
            if let d = deadline(of: index), best == nil || d.at < best!.at {
                best = (d.at, d.kind, index)
            }
            if floods[index].sinceNs != nil {
                let end = floods[index].lastNs &+ PressRules.floodWindowNs
                if best == nil || end < best!.at { best = (end, .floodEnd, index) }
            }
        }
        return best
    }

    // MARK: - Transitions

    private mutating func settle(_ index: Int, at decidedAt: UInt64, into events: inout [PressEvent]) {
        var line = lines[index]
        guard let start = line.changeStartNs else { return }
        line.changeStartNs = nil
        if line.raw != line.stable {
            line.stable = line.raw
            if line.stable {
                let press = decidePress(button: index, at: start, decidedAt: decidedAt, into: &events)
                line.pressSequence = press.sequence
                line.pressStartNs = start
                line.heldReported = false
            } else {
                if line.heldReported, let sequence = line.pressSequence {
                    events.append(.heldReleased(sequence: sequence, button: index,
                                                durationNs: start &- line.pressStartNs))
                }
                line.pressSequence = nil
                line.heldReported = false
            }
        }
        lines[index] = line
    }

    private mutating func reportHeld(_ index: Int, into events: inout [PressEvent]) {
        guard let sequence = lines[index].pressSequence else { return }
        lines[index].heldReported = true
        events.append(.held(sequence: sequence, button: index, sinceNs: lines[index].pressStartNs))
    }

    private mutating func endFlood(_ index: Int, into events: inout [PressEvent]) {
        guard let since = floods[index].sinceNs else { return }
        events.append(.floodEnded(button: index, durationNs: floods[index].lastNs &- since, presses: floods[index].presses))
        floods[index] = FloodState()
    }

    /// Counts a flagged press toward a flood; true when it starts one.
    private mutating func countFlagged(button: Int, at ts: UInt64) -> Bool {
        var flood = floods[button]
        flood.flagged.append(ts)
        flood.flagged.removeAll { ts > $0 && ts - $0 >= PressRules.floodWindowNs }
        if flood.flagged.count > PressRules.floodPresses { flood.flagged.removeFirst(flood.flagged.count - PressRules.floodPresses) }
        var started = false
        if flood.sinceNs == nil, flood.flagged.count >= PressRules.floodPresses {
            flood.sinceNs = flood.flagged.first ?? ts
            flood.presses = flood.flagged.count
            started = true
        } else if flood.sinceNs != nil {
            flood.presses += 1
        }
        flood.lastNs = max(flood.lastNs, ts)
        floods[button] = flood
        return started
    }

    private mutating func decidePress(button: Int, at ts: UInt64, decidedAt: UInt64,
                                      into events: inout [PressEvent]) -> Press {
        var misuse: MisuseReason?
        var reflags: [PressEvent] = []
        let flooding = floods[button].sinceNs != nil
        if flooding {
            // A flooding button's presses are flagged, start no interval and pair with nothing.
            misuse = .interval
        } else if rules.responseIntervalNs > 0, let last = lastPressNs, distance(ts, last) < rules.responseIntervalNs {
            misuse = .interval
        }
        if rules.simultaneousNs > 0, !flooding {
            for i in recent.indices where recent[i].button != button && !recent[i].flooding
                && distance(recent[i].timestampNs, ts) < rules.simultaneousNs {
                misuse = .simultaneous
                if recent[i].misuse != .simultaneous {
                    recent[i].misuse = .simultaneous
                    reflags.append(.reflag(sequence: recent[i].sequence, misuse: .simultaneous))
                }
            }
        }
        let press = Press(sequence: nextSequence, button: button, timestampNs: ts,
                          decidedAtNs: decidedAt, misuse: misuse)
        nextSequence += 1
        if !flooding { lastPressNs = max(lastPressNs ?? ts, ts) }
        recent.append(RecentPress(sequence: press.sequence, button: button, timestampNs: ts, misuse: misuse,
                                  flooding: flooding))
        // Keep only presses that a later decision could still pair with.
        let horizon = rules.simultaneousNs &+ debounceNs &+ 60_000_000_000
        recent.removeAll { decidedAt > $0.timestampNs && decidedAt - $0.timestampNs > horizon }
        if recent.count > 64 { recent.removeFirst(recent.count - 64) }
        // The new press first, then the re-flags of the earlier presses it paired with.
        events.append(.press(press))
        events += reflags
        if misuse != nil, countFlagged(button: button, at: ts), let since = floods[button].sinceNs {
            events.append(.floodStarted(button: button, sinceNs: since))
        }
        return press
    }

    private func distance(_ a: UInt64, _ b: UInt64) -> UInt64 { a > b ? a - b : b - a }
}

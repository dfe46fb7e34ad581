import Foundation
import Logging
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyStore
import Synchronization

/// The heart of smileyd: edges in, store operations out.
///
/// It owns the press interpreter, hands every decision to the writer, and — for live input —
/// arms a single timer for the interpreter's next deadline (debounce settling, a held button).
/// Nothing runs while nobody presses. The interpreter's state sits behind a lock, so an edge
/// costs no thread switch; the only suspension is the writer's back-pressure.
final class PressPipeline: Sendable {
    private struct State {
        var interpreter: PressInterpreter
        var clockSynchronized: Bool
        var idGenerator = SampleID.Generator()
        var timer: Task<Void, Never>?
        /// Ids of recent presses, by interpreter sequence, for re-flags and held updates.
        var ids: [UInt64: UUID] = [:]
        var idOrder: [UInt64] = []
    }

    /// What one step decided, to act on outside the lock.
    struct Effects {
        var operations: [WriteOperation] = []
        var heldButtons: [String]?
        var floodingButtons: [String]?
        var notices: [(Logger.Level, Logger.Message, Logger.Metadata)] = []

        var isEmpty: Bool { operations.isEmpty && notices.isEmpty && heldButtons == nil && floodingButtons == nil }
    }

    private let state: Mutex<State>
    private let factory: SampleFactory
    private let writer: SampleWriter
    private let environment: DaemonEnvironment
    private let status: StatusBoard
    private let logger: Logger
    private let live: Bool
    /// Live input debounced here (libgpiod 1.6): a deadline is acted on only this long after it
    /// has passed. See ``deliveryGraceNs``.
    private let graceNs: UInt64

    /// How late an edge may reach smileyd after the kernel timestamped it, and still count.
    ///
    /// Debounce decides from the edges' own timestamps, but a timer decides that a line "stayed
    /// still" for debounce-ms — and an edge that happened before that deadline may still be on its
    /// way (queued in the kernel, the reader thread not yet scheduled: seen on a loaded 1-vCPU VM,
    /// where a 1 ms glitch's release arrived after 30 ms and the glitch became a press). So the
    /// timer fires this long after the deadline and the interpreter is advanced only to
    /// now − grace: every edge delivered within the grace is applied in time order first. A press
    /// keeps its first edge's timestamp; only its log line and LED come up to 0.1 s later.
    static let deliveryGraceNs: UInt64 = 100_000_000

    init(configuration: Configuration, source: any EdgeSource, writer: SampleWriter,
         environment: DaemonEnvironment, status: StatusBoard, logger: Logger) {
        let interpreter = PressInterpreter(rules: configuration.press, buttonCount: configuration.buttons.count,
                                           softwareDebounce: !source.debounced)
        self.state = Mutex(State(interpreter: interpreter, clockSynchronized: environment.clockSynchronized()))
        self.factory = SampleFactory(configuration: configuration, timeBase: source.timeBase, bootID: environment.bootID)
        self.writer = writer
        self.environment = environment
        self.status = status
        self.logger = logger
        if case .live = source.timeBase { live = true } else { live = false }
        graceNs = live && !source.debounced ? Self.deliveryGraceNs : 0
    }

    var isClockSynchronized: Bool { state.withLock { $0.clockSynchronized } }

    func handle(_ edge: Edge) async {
        if let effects = decide(edge) { await apply(effects) }
    }

    /// The synchronous half of ``handle(_:)``: what the edge changes, or nil when it changes
    /// nothing to act on (most edges: a release, a bounce). Callers then skip the await entirely.
    func decide(_ edge: Edge) -> Effects? {
        let effects = state.withLock { state in
            step(&state, state.interpreter.handle(edge))
        }
        return effects.isEmpty ? nil : effects
    }

    /// The timer fired: process what is due now.
    func tick() async {
        let effects = state.withLock { state in
            state.timer = nil
            let now = environment.monotonicNowNs()
            return step(&state, state.interpreter.advance(to: now > graceNs ? now - graceNs : 0))
        }
        await apply(effects)
    }

    /// The input ended or the daemon stops: settle what is pending, as if the lines stayed still.
    func finish() async {
        let effects = state.withLock { state in
            state.timer?.cancel()
            state.timer = nil
            return step(&state, state.interpreter.finish(), rearm: false)
        }
        await apply(effects)
    }

    /// The wall clock became synchronized (or was at start): correct this boot's earlier samples.
    func clockBecameSynchronized() async {
        guard live else { return }
        let wasSynchronized = state.withLock { state in
            defer { state.clockSynchronized = true }
            return state.clockSynchronized
        }
        let monotonic = environment.monotonicNowNs()
        let wall = environment.wallNowMs()
        if !wasSynchronized {
            logger.notice("wall clock is now synchronized; correcting this boot's earlier samples")
        }
        await status.update(urgent: true) { $0.clockSynchronized = true }
        await writer.submit(.correctClock(bootID: environment.bootID, syncMonotonicNs: monotonic,
                                          syncWallMs: wall, zone: factory.configuration.zone))
    }

    // MARK: - Under the lock

    private func step(_ state: inout State, _ events: [PressEvent], rearm: Bool = true) -> Effects {
        var effects = Effects()
        for event in events {
            switch event {
            case .press(let press):
                let sample = factory.sample(for: press, monotonicNowNs: environment.monotonicNowNs(),
                                            wallNowMs: environment.wallNowMs(),
                                            clockSynchronized: state.clockSynchronized, ids: &state.idGenerator)
                remember(&state, press.sequence, sample.id)
                effects.operations.append(.insert(sample))
            case .reflag(let sequence, let misuse):
                guard let id = state.ids[sequence] else { continue }
                effects.notices.append((.info, "press re-flagged", ["id": "\(id)", "misuse": "\(misuse.rawValue)"]))
                effects.operations.append(.reflag(id: id, misuse: misuse))
            case .held(let sequence, let button, _):
                effects.notices.append((.warning, "button held down past held-ms (stuck or held?)",
                                        ["button": "\(buttonName(button))", "held-ms": "\(state.interpreter.rules.heldMs)"]))
                effects.heldButtons = state.interpreter.heldButtons.map(buttonName)
                if let id = state.ids[sequence] {
                    effects.operations.append(.held(id: id, heldMs: Int64(state.interpreter.rules.heldMs)))
                }
            case .heldReleased(let sequence, let button, let durationNs):
                let ms = Int64(durationNs / 1_000_000)
                effects.notices.append((.notice, "held button released", ["button": "\(buttonName(button))", "held-ms": "\(ms)"]))
                effects.heldButtons = state.interpreter.heldButtons.map(buttonName)
                if let id = state.ids[sequence] {
                    effects.operations.append(.held(id: id, heldMs: ms))
                }
            case .floodStarted(let button, _):
                effects.notices.append((.warning, "button flooding: presses far faster than a person's (stuck contact? a child?); they are stored flagged and the other buttons are counted as if it were silent",
                                        ["button": "\(buttonName(button))",
                                         "rate": "\(PressRules.floodPresses) flagged in \(PressRules.floodWindowMs / 1000) s"]))
                effects.floodingButtons = state.interpreter.floodingButtons.map(buttonName)
            case .floodEnded(let button, let durationNs, let presses):
                effects.notices.append((.notice, "button flood ended", ["button": "\(buttonName(button))",
                                                                       "presses": "\(presses)",
                                                                       "seconds": "\(durationNs / 1_000_000_000)"]))
                effects.floodingButtons = state.interpreter.floodingButtons.map(buttonName)
            }
        }
        if rearm { rearmTimer(&state) }
        return effects
    }

    private func remember(_ state: inout State, _ sequence: UInt64, _ id: UUID) {
        state.ids[sequence] = id
        state.idOrder.append(sequence)
        if state.idOrder.count > 512 {
            for old in state.idOrder.prefix(256) { state.ids[old] = nil }
            state.idOrder.removeFirst(256)
        }
    }

    /// Live input: one timer for the interpreter's next deadline. Replays advance by their edges.
    private func rearmTimer(_ state: inout State) {
        guard live else { return }
        state.timer?.cancel()
        state.timer = nil
        guard let nextDeadline = state.interpreter.nextDeadline else { return }
        let deadline = nextDeadline &+ graceNs
        let now = environment.monotonicNowNs()
        let delay = deadline > now ? deadline - now : 0
        state.timer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: delay)
            guard !Task.isCancelled else { return }
            await self?.tick()
        }
    }

    private func buttonName(_ index: Int) -> String {
        factory.configuration.buttons.indices.contains(index) ? factory.configuration.buttons[index].name : "button-\(index)"
    }

    // MARK: - Outside the lock

    func apply(_ effects: Effects) async {
        if effects.isEmpty { return }
        for (level, message, metadata) in effects.notices {
            logger.log(level: level, message, metadata: metadata)
        }
        if let held = effects.heldButtons {
            await status.update(urgent: true) { $0.heldButtons = held }
        }
        if let flooding = effects.floodingButtons {
            await status.update(urgent: true) { $0.floodingButtons = flooding }
        }
        await writer.submit(effects.operations)
    }
}

import Foundation
import Logging
import SmileyConfig
import SmileyCore
import SmileyInput
import SmileyStore

/// The heart of smileyd: edges in, store operations out.
///
/// It owns the press interpreter, asks the writer to store every decision, and — for live
/// input — arms a single timer for the interpreter's next deadline (debounce settling, a held
/// button). Nothing runs while nobody presses.
actor PressPipeline {
    private var interpreter: PressInterpreter
    private let factory: SampleFactory
    private let writer: SampleWriter
    private let environment: DaemonEnvironment
    private let status: StatusBoard
    private let logger: Logger
    private let live: Bool
    private var clockSynchronized: Bool
    private var timer: Task<Void, Never>?
    /// Ids of recent presses, by interpreter sequence, for re-flags and held updates.
    private var ids: [UInt64: UUID] = [:]
    private var idOrder: [UInt64] = []

    init(configuration: Configuration, source: any EdgeSource, writer: SampleWriter,
         environment: DaemonEnvironment, status: StatusBoard, logger: Logger) {
        self.interpreter = PressInterpreter(rules: configuration.press, buttonCount: configuration.buttons.count,
                                            softwareDebounce: !source.debounced)
        self.factory = SampleFactory(configuration: configuration, timeBase: source.timeBase,
                                     bootID: environment.bootID)
        self.writer = writer
        self.environment = environment
        self.status = status
        self.logger = logger
        if case .live = source.timeBase { live = true } else { live = false }
        self.clockSynchronized = environment.clockSynchronized()
    }

    var isClockSynchronized: Bool { clockSynchronized }

    func handle(_ edge: Edge) async {
        let events = interpreter.handle(edge)
        await process(events)
        rearm()
    }

    /// The timer fired: process what is due now.
    func tick() async {
        timer = nil
        let events = interpreter.advance(to: environment.monotonicNowNs())
        await process(events)
        rearm()
    }

    /// The input ended or the daemon stops: settle what is pending, as if the lines stayed still.
    func finish() async {
        timer?.cancel()
        timer = nil
        await process(interpreter.finish())
    }

    /// The wall clock became synchronized (or was at start): correct this boot's earlier samples.
    func clockBecameSynchronized() async {
        guard live else { return }
        let wasSynchronized = clockSynchronized
        clockSynchronized = true
        let monotonic = environment.monotonicNowNs()
        let wall = environment.wallNowMs()
        if !wasSynchronized {
            logger.notice("wall clock is now synchronized; correcting this boot's earlier samples")
        }
        await status.update(urgent: true) { $0.clockSynchronized = true }
        await writer.submit(.correctClock(bootID: environment.bootID, syncMonotonicNs: monotonic,
                                          syncWallMs: wall, timeZone: factory.configuration.timeZone))
    }

    private func process(_ events: [PressEvent]) async {
        for event in events {
            switch event {
            case .press(let press):
                let sample = factory.sample(for: press, monotonicNowNs: environment.monotonicNowNs(),
                                            wallNowMs: environment.wallNowMs(),
                                            clockSynchronized: clockSynchronized)
                remember(press.sequence, sample.id)
                await writer.submit(.insert(sample))
            case .reflag(let sequence, let misuse):
                guard let id = ids[sequence] else { continue }
                logger.info("press re-flagged", metadata: ["id": "\(id)", "misuse": "\(misuse.rawValue)"])
                await writer.submit(.reflag(id: id, misuse: misuse))
            case .held(let sequence, let button, _):
                let name = buttonName(button)
                logger.warning("button held down past held-ms (stuck or held?)",
                               metadata: ["button": "\(name)", "held-ms": "\(interpreter.rules.heldMs)"])
                let held = interpreter.heldButtons.map(buttonName)
                await status.update(urgent: true) { $0.heldButtons = held }
                if let id = ids[sequence] {
                    await writer.submit(.held(id: id, heldMs: Int64(interpreter.rules.heldMs)))
                }
            case .heldReleased(let sequence, let button, let durationNs):
                let ms = Int64(durationNs / 1_000_000)
                logger.notice("held button released", metadata: ["button": "\(buttonName(button))", "held-ms": "\(ms)"])
                let held = interpreter.heldButtons.map(buttonName)
                await status.update(urgent: true) { $0.heldButtons = held }
                if let id = ids[sequence] {
                    await writer.submit(.held(id: id, heldMs: ms))
                }
            }
        }
    }

    private nonisolated func buttonName(_ index: Int) -> String {
        factory.configuration.buttons.indices.contains(index) ? factory.configuration.buttons[index].name : "button-\(index)"
    }

    private func remember(_ sequence: UInt64, _ id: UUID) {
        ids[sequence] = id
        idOrder.append(sequence)
        if idOrder.count > 512 {
            for old in idOrder.prefix(256) { ids[old] = nil }
            idOrder.removeFirst(256)
        }
    }

    private func rearm() {
        guard live else { return }
        timer?.cancel()
        timer = nil
        guard let deadline = interpreter.nextDeadline else { return }
        let now = environment.monotonicNowNs()
        let delay = deadline > now ? deadline - now : 0
        timer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: delay)
            guard !Task.isCancelled else { return }
            await self?.tick()
        }
    }
}

import Logging
import ServiceLifecycle
import SmileyInput

/// Lights the acknowledgement LED (`ack-line`) for ``pulse`` (300 ms) after an accepted press has been
/// committed, and the `misuse-line` after a flagged one. A press during a pulse restarts it.
/// A failing line is logged once and otherwise ignored: the presses matter more than the LED.
actor PressIndicator {
    static let defaultPulse: Duration = .milliseconds(300)

    /// How long a line stays lit after a commit.
    let pulse: Duration

    /// What the pulse is timed on (a test's manual clock, or the continuous clock).
    private let clock: any Clock<Duration>
    private let ack: (any IndicatorLine)?
    private let misuse: (any IndicatorLine)?
    private let logger: Logger
    private var offTimers: [Bool: Task<Void, Never>] = [:]
    private var closed = false
    private var warned = false

    init(ack: (any IndicatorLine)?, misuse: (any IndicatorLine)?, logger: Logger, pulse: Duration = defaultPulse,
         clock: any Clock<Duration> = ContinuousClock()) {
        self.pulse = pulse
        self.clock = clock
        self.ack = ack
        self.misuse = misuse
        self.logger = logger
    }

    /// A batch was committed with this many accepted and flagged presses.
    func committed(accepted: Int, flagged: Int) {
        if accepted > 0 { light(misuse: false) }
        if flagged > 0 { light(misuse: true) }
    }

    /// Turns both lines off and releases them; later pulses are ignored.
    func shutdown() {
        closed = true
        for timer in offTimers.values { timer.cancel() }
        offTimers.removeAll()
        ack?.release()
        misuse?.release()
    }

    private func light(misuse isMisuse: Bool) {
        guard !closed, let line = isMisuse ? misuse : ack else { return }
        do {
            try line.set(true)
        } catch {
            report(error, line)
            return
        }
        offTimers[isMisuse]?.cancel()
        // The end is fixed now, when the line lights, however late the timer task starts.
        let sleepUntilOff = Self.sleeper(clock, until: pulse)
        offTimers[isMisuse] = Task { [weak self] in
            do {
                try await sleepUntilOff()
            } catch {
                return // a newer pulse took over, or shutdown
            }
            await self?.switchOff(misuse: isMisuse)
        }
    }

    private static func sleeper<C: Clock<Duration>>(_ clock: C, until pulse: Duration) -> @Sendable () async throws -> Void {
        let deadline = clock.now.advanced(by: pulse)
        return { try await clock.sleep(until: deadline, tolerance: nil) }
    }

    private func switchOff(misuse isMisuse: Bool) {
        offTimers[isMisuse] = nil
        guard !closed, let line = isMisuse ? misuse : ack else { return }
        do {
            try line.set(false)
        } catch {
            report(error, line)
        }
    }

    private func report(_ error: InputError, _ line: any IndicatorLine) {
        guard !warned else { return }
        warned = true
        logger.warning("cannot drive the indicator line; presses are still recorded",
                       metadata: ["line": "\(line.description)", "error": "\(error)"])
    }
}

/// Keeps the indicator lines for the daemon's lifetime and releases them at shutdown.
struct PressIndicatorService: Service {
    let indicator: PressIndicator

    func run() async throws {
        try? await gracefulShutdown()
        await indicator.shutdown()
    }
}

import Foundation
import SmileyConfig
import SmileyInput
import SmileyPlatform

/// Chooses the input source: `--replay` on the command line, else the configured `input`.
public enum InputFactory {
    /// - Parameters:
    ///   - replayFile: `--replay FILE`, overriding the configured input.
    ///   - replaySpeed: `--replay-speed`: nil = not given (use the config), .some(nil) = max.
    ///   - replayStartMs: `--replay-start`: wall time of the first edge (default now).
    ///   - onWarning: where the GPIO input reports a button down at start or lost kernel events.
    /// The GPIO input requests its lines here, so a missing, busy or forbidden line fails now,
    /// before the daemon tells systemd it is ready.
    public static func make(configuration: Configuration, replayFile: String?, replaySpeed: Double??,
                            replayStartMs: Int64?,
                            onWarning: @escaping @Sendable (String) -> Void = { _ in }) throws(InputError) -> any EdgeSource {
        let start = replayStartMs ?? WallClock.nowMs()
        if let replayFile {
            let speed = replaySpeed ?? configuration.replay?.speed
            return try ReplaySource.load(path: replayFile, buttons: configuration.buttons, speed: speed, startWallMs: start)
        }
        switch configuration.input {
        case .keyboard:
            // Under systemd standard input is /dev/null: smileyd would wait forever for keys, or read
            // an end of input at once and exit 0, and a service that exits 0 is not restarted.
            if KeyboardSource.standardInputIsNull() { throw .keyboardWithoutTerminal }
            return KeyboardSource(buttons: configuration.buttons)
        case .replay:
            guard let replay = configuration.replay, !replay.file.isEmpty else {
                throw .traceUnreadable(path: "(none)", reason: "input is replay but no trace was given: set replay.file in the config or pass --replay FILE")
            }
            let speed = replaySpeed ?? replay.speed
            return try ReplaySource.load(path: replay.file, buttons: configuration.buttons, speed: speed, startWallMs: start)
        case .gpio:
            return try GPIOSource(buttons: configuration.buttons, debounceMs: configuration.press.debounceMs,
                                  onWarning: onWarning)
        }
    }
}

/// The optional output lines (`ack-line`, `misuse-line`), requested as outputs (off) now.
public enum IndicatorFactory {
    public static func make(configuration: Configuration) throws(InputError)
        -> (ack: (any IndicatorLine)?, misuse: (any IndicatorLine)?) {
        guard configuration.ackLine != nil || configuration.misuseLine != nil else { return (nil, nil) }
        let scan = GPIOChipScan.scan()
        var ack: (any IndicatorLine)?
        if let spec = configuration.ackLine {
            ack = try GPIOOutputLine(spec: spec, role: "ack-line", scan: scan)
        }
        var misuse: (any IndicatorLine)?
        if let spec = configuration.misuseLine {
            do {
                misuse = try GPIOOutputLine(spec: spec, role: "misuse-line", scan: scan)
            } catch {
                ack?.release()
                throw error
            }
        }
        return (ack, misuse)
    }
}

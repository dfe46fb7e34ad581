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
    public static func make(configuration: Configuration, replayFile: String?, replaySpeed: Double??,
                            replayStartMs: Int64?) throws(InputError) -> any EdgeSource {
        let start = replayStartMs ?? WallClock.nowMs()
        if let replayFile {
            let speed = replaySpeed ?? configuration.replay?.speed
            return try ReplaySource.load(path: replayFile, buttons: configuration.buttons, speed: speed, startWallMs: start)
        }
        switch configuration.input {
        case .keyboard:
            return KeyboardSource(buttons: configuration.buttons)
        case .replay:
            guard let replay = configuration.replay, !replay.file.isEmpty else {
                throw .traceUnreadable(path: "(none)", reason: "input is replay but no trace was given: set replay.file in the config or pass --replay FILE")
            }
            let speed = replaySpeed ?? replay.speed
            return try ReplaySource.load(path: replay.file, buttons: configuration.buttons, speed: speed, startWallMs: start)
        case .gpio:
            throw .gpioUnavailable(reason: "this build of smileyd has no GPIO input yet; use input: keyboard or replay")
        }
    }
}

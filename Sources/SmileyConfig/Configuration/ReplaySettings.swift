/// `replay:` — the trace replayed when `input` is replay.
public struct ReplaySettings: Sendable, Equatable {
    /// `replay.file`: a trace as gpiomon prints it.
    public var file: String
    /// `replay.speed`: a factor (1 = real time) or nil for as fast as possible (`max`).
    public var speed: Double?

    public init(file: String, speed: Double?) {
        self.file = file
        self.speed = speed
    }
}

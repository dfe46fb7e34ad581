/// The timing rules that turn edges into presses. All durations in milliseconds, as in the config.
public struct PressRules: Sendable, Hashable, Codable {
    /// A level change counts only once the line has stayed stable this long (0 = edges are already clean).
    public var debounceMs: Int
    /// A press within this long of the previous press (any button) is flagged `interval` (0 = off).
    public var responseIntervalMs: Int
    /// Two different buttons within this long of each other are both flagged `simultaneous` (0 = off).
    public var simultaneousMs: Int
    /// A button down longer than this raises a held/stuck warning.
    public var heldMs: Int

    public init(debounceMs: Int = 30, responseIntervalMs: Int = 5000, simultaneousMs: Int = 150, heldMs: Int = 3000) {
        self.debounceMs = debounceMs
        self.responseIntervalMs = responseIntervalMs
        self.simultaneousMs = simultaneousMs
        self.heldMs = heldMs
    }

    public static let `default` = PressRules()

    /// A button is flooding (a stuck contact, a child) when this many of its presses are flagged
    /// within ``floodWindowMs``: 3 a second for 10 s, far above a person's pace.
    public static let floodPresses = 30
    /// The flood window; a flooding button that stays quiet this long is no longer flooding.
    public static let floodWindowMs = 10_000
    static let floodWindowNs = UInt64(floodWindowMs) * 1_000_000

    var debounceNs: UInt64 { UInt64(max(0, debounceMs)) * 1_000_000 }
    var responseIntervalNs: UInt64 { UInt64(max(0, responseIntervalMs)) * 1_000_000 }
    var simultaneousNs: UInt64 { UInt64(max(0, simultaneousMs)) * 1_000_000 }
    var heldNs: UInt64 { UInt64(max(0, heldMs)) * 1_000_000 }
}

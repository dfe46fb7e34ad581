/// One of `buttons:` — a button's name and its GPIO line.
public struct ButtonConfig: Sendable, Equatable {
    /// `name`, e.g. `very-happy`; unique.
    public var name: String
    /// `line`; required for gpio and replay input, unused by the keyboard.
    public var line: LineSpec?
    /// `active-low` (default true: the button connects the line to ground, with a pull-up).
    public var activeLow: Bool
    /// `bias` (default pull-up).
    public var bias: Bias

    public init(name: String, line: LineSpec?, activeLow: Bool = ButtonConfig.defaultActiveLow,
                bias: Bias = ButtonConfig.defaultBias) {
        self.name = name
        self.line = line
        self.activeLow = activeLow
        self.bias = bias
    }

    public static let defaultActiveLow = true
    public static let defaultBias = Bias.pullUp
}

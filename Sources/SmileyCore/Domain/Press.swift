/// A decided press: the debounced, counted result of one push of a button.
public struct Press: Sendable, Hashable {
    /// Order in which the interpreter decided presses; used to refer back to a press (re-flagging).
    public var sequence: UInt64
    public var button: Int
    /// Monotonic time of the press's first edge (ns).
    public var timestampNs: UInt64
    /// Monotonic time at which the press was decided (the line had been stable for debounce-ms).
    public var decidedAtNs: UInt64
    public var misuse: MisuseReason?

    public init(sequence: UInt64, button: Int, timestampNs: UInt64, decidedAtNs: UInt64, misuse: MisuseReason?) {
        self.sequence = sequence
        self.button = button
        self.timestampNs = timestampNs
        self.decidedAtNs = decidedAtNs
        self.misuse = misuse
    }
}

/// What the press interpreter tells its driver.
public enum PressEvent: Sendable, Hashable {
    /// A new press: store it now.
    case press(Press)
    /// An earlier press must now carry this misuse flag (the second of a simultaneous pair arrived).
    case reflag(sequence: UInt64, misuse: MisuseReason)
    /// The button of this press has been held down past `held-ms` (a stuck or held button).
    case held(sequence: UInt64, button: Int, sinceNs: UInt64)
    /// A button that had been reported held came back up after `durationNs`.
    case heldReleased(sequence: UInt64, button: Int, durationNs: UInt64)
    /// A button's flagged presses came far faster than a person's (``PressRules/floodPresses``
    /// within ``PressRules/floodWindowMs``) since `sinceNs`: until it is quiet again, its presses
    /// are flagged and do not affect the other buttons' presses.
    case floodStarted(button: Int, sinceNs: UInt64)
    /// The flooding button was quiet for the flood window; `presses` of its presses came during the flood.
    case floodEnded(button: Int, durationNs: UInt64, presses: Int)
}

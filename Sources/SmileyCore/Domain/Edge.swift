/// A level change on one button's line, as an input source reports it.
///
/// Edges are *logical*: `rising` means the button went down (pressed) and `falling` means it
/// came back up, whatever the wiring. Sources translate physical edges using the button's
/// `active-low` setting (the kernel does it for GPIO lines requested active-low; the replay
/// input does it for traces, where an active-low button's press is a physical FALLING edge).
public struct Edge: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case rising
        case falling
    }

    /// Index of the button in the configuration (0 = most negative).
    public var button: Int
    public var kind: Kind
    /// Monotonic time of the edge in nanoseconds (CLOCK_MONOTONIC, as libgpiod reports it).
    public var timestampNs: UInt64

    public init(button: Int, kind: Kind, timestampNs: UInt64) {
        self.button = button
        self.kind = kind
        self.timestampNs = timestampNs
    }

    public var description: String { "\(kind) button \(button) @\(timestampNs)ns" }
}

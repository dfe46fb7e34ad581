import SmileyCore

/// Where edges come from: the keyboard, a replayed gpiomon trace, or GPIO lines.
///
/// A source is started by ``edges()`` and stops when the consumer stops iterating (the stream's
/// termination cancels it) or when it runs out (end of a trace, `q` on the keyboard): the stream
/// then finishes normally. A source that fails throws a ``InputError`` from the stream.
public protocol EdgeSource: Sendable {
    /// A short name for logs ("keyboard", "replay trace.txt", "gpio").
    var name: String { get }
    /// True when edges arrive already debounced (kernel debounce, keyboard keys): the press
    /// interpreter then does not debounce again.
    var debounced: Bool { get }
    /// How the edges' monotonic timestamps map onto wall time.
    var timeBase: TimeBase { get }
    /// Starts the source. Call once.
    func edges() -> AsyncThrowingStream<Edge, any Error>
}

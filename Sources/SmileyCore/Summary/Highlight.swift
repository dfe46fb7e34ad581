/// The busiest or worst hour or day.
public struct Highlight: Sendable, Equatable {
    /// `12:00–13:00` or `Saturday 2026-11-21`.
    public var label: String
    public var counted: Int
    public var satisfactionIndex: Double?
}

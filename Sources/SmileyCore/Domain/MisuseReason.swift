/// Why a press is flagged. A flagged press is stored and kept; summaries leave it out unless asked.
public enum MisuseReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The press came within `response-interval-ms` of the previous press (any button).
    case interval
    /// Two different buttons were pressed within `simultaneous-ms` of each other.
    case simultaneous
}

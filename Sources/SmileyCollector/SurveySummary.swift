import Foundation
import SmileyCore
import SmileyWire

/// One survey's day at a site, across terminals.
public struct SurveySummary: Codable, Sendable, Equatable {
    public struct Button: Codable, Sendable, Equatable {
        public var button: Int
        public var name: String
        public var count: Int
    }

    public var survey: String
    public var scale: Int
    /// Presses counted in `buttons` (flagged ones only with includeMisuse).
    public var counted: Int
    public var accepted: Int
    /// Flagged presses by reason (`interval`, `simultaneous`).
    public var misuse: [String: Int]
    public var buttons: [Button]
    /// 0–100, one decimal; null when nothing was counted.
    public var satisfactionIndex: Double?
}

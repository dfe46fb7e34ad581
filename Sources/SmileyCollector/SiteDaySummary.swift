import Foundation
import SmileyCore
import SmileyWire

public struct SiteDaySummary: Codable, Sendable, Equatable {
    public var site: String
    /// The local day at the terminals (each sample's own UTC offset).
    public var day: String
    public var includeMisuse: Bool
    public var terminals: [String]
    public var surveys: [SurveyFigures]
}

/// The `period` member of every fleet answer.
public struct FleetPeriodDescription: Codable, Sendable, Equatable {
    public var kind: String
    public var label: String
    public var from: String
    public var to: String

    public init(_ period: FleetPeriod) {
        kind = period.kind.rawValue
        label = period.label
        from = period.from.description
        to = period.to.description
    }
}

/// One hour of the day over a multi-day period (all the Mondays' 12:00 hours and so on).
public struct ProfileHour: Sendable, Equatable {
    /// 0 … 23.
    public var hourOfDay: Int
    public var figures: Figures
    /// Counted presses per day of the period.
    public var perDay: Double
}

/// How a fleet query groups the rollups beyond survey × scale × button × misuse reason.
enum RollupGrouping: Sendable {
    /// One group per survey (summaries).
    case survey
    /// Per local hour of the day, 0–23.
    case hour
    /// Per ISO weekday (1 = Monday … 7 = Sunday) × local hour.
    case weekdayHour
    /// Per site (rankings).
    case site
}

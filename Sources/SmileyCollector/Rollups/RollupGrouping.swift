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

    /// Whether the grouping needs the hours (`rollup`); the others read the day rollup.
    var hourly: Bool {
        switch self {
        case .hour, .weekdayHour: true
        case .survey, .site: false
        }
    }
}

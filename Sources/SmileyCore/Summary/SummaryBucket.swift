/// One row of a summary: an hour of a day, or a day of a longer period.
public struct SummaryBucket: Sendable, Equatable {
    public var unit: ReportPeriod.BucketUnit
    public var day: LocalDay
    /// The hour, for hour buckets.
    public var slot: HourSlot?
    /// `08:00` (with the offset when the hour occurs twice, `03:00 +03:00`), or `2026-11-22`.
    public var label: String
    public var figures: Figures
}

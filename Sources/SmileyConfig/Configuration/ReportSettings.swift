/// `report:` — how summaries and the end-of-day report behave.
public struct ReportSettings: Sendable, Equatable {
    /// `min-samples`: an hour, day or period with fewer counted presses shows its counts but no
    /// index (nor top-2 share or net score). Default 10.
    public var minSamples: Int
    /// `directory`: where `smileyctl report --end-of-day` writes `YYYY-MM-DD.txt`, `.json` and
    /// `.html`. Default `/var/lib/smiley/reports`.
    public var directory: String
    /// `keep-days`: end-of-day reports older than this many days are deleted. Default 90.
    public var keepDays: Int
    /// `closing-time` (`HH:MM`, local): from this time on, the end-of-day report covers today;
    /// before it, yesterday. `"00:00"` (the default) means a day is reported once it has ended.
    public var closingTime: ClockTime

    public init(minSamples: Int = 10, directory: String = ReportSettings.defaultDirectory, keepDays: Int = 90,
                closingTime: ClockTime = ClockTime(hour: 0, minute: 0)) {
        self.minSamples = minSamples
        self.directory = directory
        self.keepDays = keepDays
        self.closingTime = closingTime
    }

    public static let defaultDirectory = "/var/lib/smiley/reports"
}

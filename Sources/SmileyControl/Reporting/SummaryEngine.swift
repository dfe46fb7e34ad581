import Foundation
import SmileyConfig
import SmileyCore
import SmileyStore

/// Reads a period's counts from the store and builds its summary: the one code path behind
/// `summary`, `report`, the end-of-day report and the benchmark.
public enum SummaryEngine {
    /// - Parameters:
    ///   - compare: also read the earlier periods the comparison needs (none for a free range).
    public static func summarize(period: ReportPeriod, configuration: Configuration, reader: StoreReader,
                                 survey: String?, includeMisuse: Bool, compare: Bool = true) throws(StoreError)
        -> PeriodSummary
    {
        let names = configuration.buttons.map(\.name)
        let earlierPeriods = compare
            ? (1...SummaryBuilder.comparisonDepth).compactMap { period.earlier($0) } : []
        let counts = try reader.periodCounts(localRange: period.localRangeMs,
                                             earlier: earlierPeriods.map(\.localRangeMs),
                                             survey: survey, buttons: names.count)
        return SummaryBuilder.build(
            period: period, zone: configuration.zone, buttonNames: names, survey: survey,
            includeMisuse: includeMisuse, minSamples: configuration.report.minSamples, hourly: counts.hourly,
            earlier: Array(zip(earlierPeriods, counts.earlier)).map { (period: $0.0, tally: $0.1) })
    }
}

import Foundation
import SmileyCore
import SmileyWire

/// Where the collector keeps what it receives: ``SQLiteCollectorStorage`` (one collector, one
/// file) or ``PostgresCollectorStorage`` (a fleet's collectors sharing one database).
///
/// The contract every implementation keeps (the contract tests run the same bodies on both):
/// - a sample is stored once per (terminal, sample id), whatever batch or key brings it again (a
///   duplicate); another terminal's sample with the same id is that terminal's own, never merged;
/// - a batch is applied atomically with its key's result: a crash leaves either nothing or both;
/// - the same key with the same payload fingerprint gets the stored result; with another
///   fingerprint, ``SubmitOutcome/payloadMismatch``; while the first is still running,
///   ``SubmitOutcome/inProgress``;
/// - rollups (per terminal × site × survey × local hour × button × misuse reason) are kept in the
///   transaction that stores the samples, counting only samples stored now: they always equal a
///   recount of the samples (``rollupMismatches()`` is empty). Summaries and rankings read them.
/// It also keeps the organisation and the credentials (``OrganisationStorage``).
public protocol CollectorStorage: OrganisationStorage {
    func submit(_ batch: WireBatch, terminal: String, key: String, fingerprint: Data,
                receivedAtMs: Int64) async throws -> SubmitOutcome
    func recordHeartbeat(_ heartbeat: Heartbeat, terminal: String, receivedAtMs: Int64) async throws
    func summary(site: String, day: String, includeMisuse: Bool) async throws -> SiteDaySummary
    func terminals() async throws -> [TerminalInfo]
    func health() async throws -> StorageHealth

    /// A set of sites over a range of local days, per survey: counts, misuse and figures.
    func rangeSummary(_ filter: RollupFilter, includeMisuse: Bool, minSamples: Int) async throws -> RangeSummary
    /// The time pattern over the filter: per local hour (0–23), or per weekday × hour with
    /// `weekdays`; every cell of each survey met, by survey, weekday, hour.
    func buckets(_ filter: RollupFilter, weekdays: Bool, includeMisuse: Bool, minSamples: Int) async throws -> [RollupBucket]
    /// The filter's sites ranked by satisfaction index (see ``SiteRank``).
    func siteRanking(_ filter: RollupFilter, includeMisuse: Bool, minSamples: Int) async throws -> [SiteRank]
    /// Recounts the rollups from the raw samples: the rows that differ (empty when equal).
    func rollupMismatches() async throws -> [RollupMismatch]
}

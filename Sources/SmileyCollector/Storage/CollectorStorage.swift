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
///   ``SubmitOutcome/inProgress``.
/// It also keeps the organisation and the credentials (``OrganisationStorage``).
public protocol CollectorStorage: OrganisationStorage {
    func submit(_ batch: WireBatch, terminal: String, key: String, fingerprint: Data,
                receivedAtMs: Int64) async throws -> SubmitOutcome
    func recordHeartbeat(_ heartbeat: Heartbeat, terminal: String, receivedAtMs: Int64) async throws
    func summary(site: String, day: String, includeMisuse: Bool) async throws -> SiteDaySummary
    func terminals() async throws -> [TerminalInfo]
    func health() async throws -> StorageHealth
}

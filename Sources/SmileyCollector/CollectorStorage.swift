import Foundation
import SmileyCore
import SmileyWire

/// Where the collector keeps what it receives. SQLite here; a PostgreSQL implementation for
/// fleets fits the same shape (the in-progress check becomes a row lock on the key).
///
/// The contract every implementation keeps:
/// - a sample id is stored once, whatever batch or key brings it again (a duplicate);
/// - a batch is applied atomically with its key's result: a crash leaves either nothing or both;
/// - the same key with the same payload fingerprint gets the stored result; with another
///   fingerprint, ``SubmitOutcome/payloadMismatch``; while the first is still running,
///   ``SubmitOutcome/inProgress``.
public protocol CollectorStorage: Sendable {
    func submit(_ batch: WireBatch, terminal: String, key: String, fingerprint: Data,
                receivedAtMs: Int64) async throws -> SubmitOutcome
    func recordHeartbeat(_ heartbeat: Heartbeat, terminal: String, receivedAtMs: Int64) async throws
    func summary(site: String, day: String, includeMisuse: Bool) async throws -> SiteDaySummary
    func terminals() async throws -> [TerminalInfo]
    func health() async throws -> StorageHealth
}

import Foundation
import SmileyCore
import SmileyWire

/// The stored answer to a batch, replayed verbatim for the same Idempotency-Key.
public struct StoredResult: Sendable, Equatable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// What became of a submitted batch.
public enum SubmitOutcome: Sendable, Equatable {
    /// Processed now: new samples stored, known ones counted as duplicates.
    case stored(StoredResult)
    /// The key was completed before with the same payload: the stored result.
    case replayed(StoredResult)
    /// The key was used before with a different payload (422).
    case payloadMismatch
    /// The key is being processed by another request right now (409).
    case inProgress
}

/// One survey's day at a site, across terminals.
public struct SurveySummary: Codable, Sendable, Equatable {
    public struct Button: Codable, Sendable, Equatable {
        public var button: Int
        public var name: String
        public var count: Int
    }

    public var survey: String
    public var scale: Int
    /// Presses counted in `buttons` (flagged ones only with includeMisuse).
    public var counted: Int
    public var accepted: Int
    /// Flagged presses by reason (`interval`, `simultaneous`).
    public var misuse: [String: Int]
    public var buttons: [Button]
    /// 0–100, one decimal; null when nothing was counted.
    public var satisfactionIndex: Double?
}

public struct SiteDaySummary: Codable, Sendable, Equatable {
    public var site: String
    /// The local day at the terminals (each sample's own UTC offset).
    public var day: String
    public var includeMisuse: Bool
    public var terminals: [String]
    public var surveys: [SurveySummary]
}

public struct TerminalInfo: Codable, Sendable, Equatable {
    public var terminal: String
    public var samples: Int
    public var lastBatchAt: String?
    public var lastHeartbeatAt: String?
    /// The last heartbeat as the terminal sent it.
    public var heartbeat: Heartbeat?
}

public struct StorageHealth: Codable, Sendable, Equatable {
    public var samples: Int
    public var batches: Int
    public var terminals: Int
}

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

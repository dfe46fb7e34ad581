import Foundation
import GRDB
import SmileyCore

/// A sample as the upstream sync sends it: what the wire format carries, nothing more.
public struct UploadSample: Sendable, Hashable {
    public var rowID: Int64
    public var id: UUID
    public var terminal: String
    public var site: String
    public var survey: String
    public var button: Int
    public var buttonName: String
    public var scale: Int
    /// UTC, ms since 1970 (after a clock correction, the corrected time).
    public var recordedAtMs: Int64
    public var utcOffsetSeconds: Int
    /// True when `recordedAtMs` comes from a synchronized clock: at the press, or by correcting
    /// the press's time after the clock synchronized later in the same boot.
    public var clockSynchronized: Bool
    public var misuse: MisuseReason?

    public init(rowID: Int64, id: UUID, terminal: String, site: String, survey: String, button: Int,
                buttonName: String, scale: Int, recordedAtMs: Int64, utcOffsetSeconds: Int,
                clockSynchronized: Bool, misuse: MisuseReason?) {
        self.rowID = rowID
        self.id = id
        self.terminal = terminal
        self.site = site
        self.survey = survey
        self.button = button
        self.buttonName = buttonName
        self.scale = scale
        self.recordedAtMs = recordedAtMs
        self.utcOffsetSeconds = utcOffsetSeconds
        self.clockSynchronized = clockSynchronized
        self.misuse = misuse
    }

    /// The columns `SyncStore` reads a row from, in its order.
    static let columns = """
        id, uuid, terminal, site, survey, button, button_name, scale, recorded_at, utc_offset,
        clock_synchronized, recorded_at_original, misuse
        """
}

/// Where a batch is in its life (see the `v2-sync-batches` migration).
public enum SyncBatchState: String, Sendable, Hashable, CaseIterable, Codable {
    case pending
    case inFlight = "in-flight"
    case quarantined
    case done
}

/// A batch with its members, ready to send.
public struct SyncBatch: Sendable, Hashable {
    public var rowID: Int64
    /// The batch's UUID: its Idempotency-Key.
    public var id: UUID
    public var state: SyncBatchState
    /// Failed attempts so far.
    public var attempts: Int
    public var createdAtMs: Int64
    /// The members are the unsynced samples with row ids firstSample...lastSample.
    public var firstSample: Int64
    public var lastSample: Int64
    /// Oldest first. All of one terminal and site.
    public var samples: [UploadSample]

    public var terminal: String { samples.first?.terminal ?? "" }
    public var site: String { samples.first?.site ?? "" }
}

/// A batch without its members, for status and `smileyctl`.
public struct SyncBatchInfo: Sendable, Hashable, Codable, FetchableRecord {
    public var id: UUID
    public var state: SyncBatchState
    public var sampleCount: Int
    public var attempts: Int
    public var lastStatus: Int?
    public var lastError: String?
    public var createdAtMs: Int64
    public var updatedAtMs: Int64

    public init(row: Row) throws {
        id = row["uuid"]
        state = SyncBatchState(rawValue: row["state"]) ?? .pending
        sampleCount = row["sample_count"]
        attempts = row["attempts"]
        lastStatus = row["last_status"]
        lastError = row["last_error"]
        createdAtMs = row["created_at"]
        updatedAtMs = row["updated_at"]
    }
}

/// How much waits to be sent.
public struct SyncCounts: Sendable, Hashable, Codable {
    /// Samples not yet synced (in a batch or not, quarantined included).
    public var unsynced: Int
    /// Of those, samples in quarantined batches.
    public var quarantinedSamples: Int
    public var quarantinedBatches: Int
    /// Batches formed and not yet acknowledged (pending or in flight).
    public var openBatches: Int
    /// Recorded time of the oldest unsynced sample.
    public var oldestUnsyncedMs: Int64?

    public init(unsynced: Int = 0, quarantinedSamples: Int = 0, quarantinedBatches: Int = 0, openBatches: Int = 0,
                oldestUnsyncedMs: Int64? = nil) {
        self.unsynced = unsynced
        self.quarantinedSamples = quarantinedSamples
        self.quarantinedBatches = quarantinedBatches
        self.openBatches = openBatches
        self.oldestUnsyncedMs = oldestUnsyncedMs
    }

    /// Samples the uploader will send without being asked (quarantined ones wait for a person).
    public var sendable: Int { unsynced - quarantinedSamples }
}

/// Which unbatched samples a new batch may take.
public struct BatchSelection: Sendable, Hashable {
    /// The most samples in one batch.
    public var limit: Int
    /// Only samples with a row id up to this one: rows committed recently may still change (a
    /// simultaneous press re-flags the first one), so the uploader passes a horizon it read a
    /// while ago. Nil: no limit.
    public var horizon: Int64?
    /// Samples of this boot taken before the clock synchronized and not yet corrected are left
    /// for later: the daemon corrects them once the clock syncs. Nil: send them too.
    public var holdUncorrectedOfBoot: String?

    public init(limit: Int, horizon: Int64? = nil, holdUncorrectedOfBoot: String? = nil) {
        self.limit = limit
        self.horizon = horizon
        self.holdUncorrectedOfBoot = holdUncorrectedOfBoot
    }
}

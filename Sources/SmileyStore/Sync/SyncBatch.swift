import Foundation
import GRDB
import SmileyCore

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

import Foundation
import GRDB
import SmileyCore

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

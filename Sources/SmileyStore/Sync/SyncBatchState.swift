import Foundation
import GRDB
import SmileyCore

/// Where a batch is in its life (see the `v2-sync-batches` migration).
public enum SyncBatchState: String, Sendable, Hashable, CaseIterable, Codable {
    case pending
    case inFlight = "in-flight"
    case quarantined
    case done
}

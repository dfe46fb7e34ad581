import Foundation
import SmileyWire

/// One batch waiting for the collector's writer.
struct CommitJob: Sendable {
    var batch: WireBatch
    var terminal: String
    var key: String
    var fingerprint: Data
    var receivedAtMs: Int64
}

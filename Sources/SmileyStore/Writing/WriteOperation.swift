import Foundation
import SmileyCore
import SmileyPlatform

/// One change the daemon makes to the store. Operations commit in the order they were submitted.
public enum WriteOperation: Sendable, Hashable {
    /// Store a new press.
    case insert(NewSample)
    /// An earlier press gets a misuse flag (the second button of a simultaneous pair arrived).
    case reflag(id: UUID, misuse: MisuseReason)
    /// The press's button was held down past held-ms; `heldMs` is how long so far (or in all).
    case held(id: UUID, heldMs: Int64)
    /// The wall clock is now synchronized: correct this boot's samples taken before, keeping the
    /// original time. wall = syncWallMs − (syncMonotonicNs − sample's monotonic time).
    case correctClock(bootID: String, syncMonotonicNs: UInt64, syncWallMs: Int64, zone: Zone)
}

/// How the store is doing, for logs, `smileyctl status` and systemd's STATUS= line.
public struct StoreHealth: Sendable, Equatable {
    /// Nil when the last commit succeeded.
    public var failure: String?
    /// Wall time (ms) of the first failure of the current run of failures.
    public var failingSinceMs: Int64?
    /// Operations accepted but not yet committed.
    public var pending: Int
    /// Commits retried after a failure, since start.
    public var retries: Int

    public init(failure: String? = nil, failingSinceMs: Int64? = nil, pending: Int = 0, retries: Int = 0) {
        self.failure = failure
        self.failingSinceMs = failingSinceMs
        self.pending = pending
        self.retries = retries
    }
}

import SmileyStore

/// Unsynced samples up to a horizon, and how many of them are quarantined.
public struct UnsyncedCount: Sendable, Hashable {
    public var pending: Int
    public var quarantined: Int

    public init(pending: Int, quarantined: Int) {
        self.pending = pending
        self.quarantined = quarantined
    }
}

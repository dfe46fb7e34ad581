import Foundation
import GRDB
import SmileyCore

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

import Foundation
import SmileyCore
import SmileyWire

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

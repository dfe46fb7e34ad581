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

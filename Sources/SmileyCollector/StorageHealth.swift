import Foundation
import SmileyCore
import SmileyWire

public struct StorageHealth: Codable, Sendable, Equatable {
    public var samples: Int
    public var batches: Int
    public var terminals: Int
}

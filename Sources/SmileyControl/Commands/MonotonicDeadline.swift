import SmileyPlatform
import ArgumentParser
import Foundation
import GRDB
import Logging
import SmileyConfig
import SmileyStore
import SmileySync
#if canImport(Glibc)
import Glibc
#endif

/// A deadline on the monotonic clock.
struct MonotonicDeadline: Sendable {
    let ns: UInt64

    init(seconds: Int) {
        ns = Self.now() + UInt64(seconds) * 1_000_000_000
    }

    var remainingNs: UInt64 {
        let now = Self.now()
        return ns > now ? ns - now : 0
    }

    static func now() -> UInt64 {
        MonotonicClock.nowNs()
    }
}

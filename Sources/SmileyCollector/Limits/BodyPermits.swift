import Synchronization

/// Counts the request bodies being read and decompressed now, so that memory stays bounded however
/// many clients send at once: a body beyond the limit is refused at once (the client retries), not queued.
public final class BodyPermits: Sendable {
    public let limit: Int
    private let inUse = Mutex(0)

    public init(limit: Int) {
        self.limit = limit
    }

    /// Bodies being read now.
    public var count: Int { inUse.withLock { $0 } }

    /// Takes a permit when one is free.
    public func tryAcquire() -> Bool {
        inUse.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    public func release() {
        inUse.withLock { $0 -= 1 }
    }
}

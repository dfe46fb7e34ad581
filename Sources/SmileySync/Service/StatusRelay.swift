import SmileyStore

/// Carries status snapshots from the uploader to whoever publishes them, in order, keeping only
/// the newest when the reader is slower.
public final class StatusRelay: Sendable {
    public let stream: AsyncStream<SyncStatus>
    private let continuation: AsyncStream<SyncStatus>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: SyncStatus.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func yield(_ status: SyncStatus) { continuation.yield(status) }
    public func finish() { continuation.finish() }
}

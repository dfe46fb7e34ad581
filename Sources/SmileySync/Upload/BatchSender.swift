import SmileyStore

/// Sends a batch; ``UploadClient`` in production, anything that speaks the contract in tests.
public protocol BatchSender: Sendable {
    func send(_ batch: SyncBatch, nowMs: @Sendable () -> Int64) async -> SendOutcome
}

extension UploadClient: BatchSender {}

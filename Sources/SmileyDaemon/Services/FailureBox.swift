import Synchronization

/// Carries the first fatal error of a service out of the service group.
final class FailureBox: Sendable {
    private let storage = Mutex<(any Error)?>(nil)

    func set(_ error: any Error) {
        storage.withLock { if $0 == nil { $0 = error } }
    }

    var error: (any Error)? { storage.withLock { $0 } }
}

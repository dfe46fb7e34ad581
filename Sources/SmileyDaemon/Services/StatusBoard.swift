import SmileyPlatform
import Foundation
import Logging
import SmileyStore

/// Keeps the daemon's ``DaemonStatus`` and publishes it: to `status.json` in the runtime
/// directory (atomically, at most about once a second under a burst) and to systemd's STATUS=.
actor StatusBoard {
    private(set) var status: DaemonStatus
    private let path: String?
    private let notifier: SystemdNotifier?
    private let logger: Logger
    private var lastWriteNs: UInt64 = 0
    private var deferred: Task<Void, Never>?
    private var warnedUnwritable = false
    /// Set by ``remove()``: a late update (a detached task of the last commit) writes nothing.
    private var removed = false

    init(status: DaemonStatus, runtimeDirectory: String?, notifier: SystemdNotifier?, logger: Logger) {
        self.status = status
        self.notifier = notifier
        self.logger = logger
        if let runtimeDirectory {
            try? FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
            self.path = (runtimeDirectory as NSString).appendingPathComponent(DaemonStatus.fileName)
        } else {
            self.path = nil
        }
    }

    /// Applies a change. `urgent` changes (a held button, a store failure, the clock) are written
    /// at once; routine ones (press counts) at most about once a second.
    func update(urgent: Bool = false, _ change: @Sendable (inout DaemonStatus) -> Void) {
        change(&status)
        if urgent {
            publishNow()
        } else {
            publishSoon()
        }
    }

    /// Writes now (start, shutdown).
    func publishNow() {
        deferred?.cancel()
        deferred = nil
        write()
    }

    /// Removes the status file (clean shutdown).
    func remove() {
        removed = true
        deferred?.cancel()
        deferred = nil
        if let path { try? FileManager.default.removeItem(atPath: path) }
    }

    private func publishSoon() {
        let now = MonotonicClock.nowNs()
        if now - lastWriteNs >= 1_000_000_000 {
            write()
            return
        }
        guard deferred == nil else { return }
        let wait = 1_000_000_000 - (now - lastWriteNs)
        deferred = Task { [weak self] in
            try? await Task.sleep(nanoseconds: wait)
            guard !Task.isCancelled else { return }
            await self?.deferredWrite()
        }
    }

    private func deferredWrite() {
        deferred = nil
        write()
    }

    private func write() {
        guard !removed else { return }
        lastWriteNs = MonotonicClock.nowNs()
        status.updatedAtMs = WallClock.nowMs()
        notifier?.send("STATUS=\(summaryLine)")
        guard let path else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try encoder.encode(status).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            if !warnedUnwritable {
                warnedUnwritable = true
                logger.warning("cannot write the status file; smileyctl status will not see the daemon",
                               metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }

    /// One line for `systemctl status`.
    var summaryLine: String {
        var parts = ["\(status.committedPresses) presses since start"]
        if let failure = status.storeFailure { parts.append("STORE FAILING: \(failure)") }
        if let failure = status.checkpointFailure { parts.append("WAL checkpoint failing: \(failure)") }
        if !status.heldButtons.isEmpty { parts.append("held: \(status.heldButtons.joined(separator: ","))") }
        if let flooding = status.floodingButtons, !flooding.isEmpty {
            parts.append("FLOOD on \(flooding.joined(separator: ","))")
        }
        if !status.clockSynchronized { parts.append("clock not synchronized") }
        if let sync = status.sync {
            if sync.backlog > 0 { parts.append("upstream backlog \(sync.backlog) (\(sync.state.rawValue))") }
            if sync.quarantinedBatches > 0 { parts.append("QUARANTINED: \(sync.quarantinedBatches) batch(es)") }
            if let low = sync.lowDisk { parts.append("LOW DISK: \(low)") }
        }
        return parts.joined(separator: "; ")
    }
}

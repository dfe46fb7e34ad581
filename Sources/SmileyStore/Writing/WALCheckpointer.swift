import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Checkpoints the write-ahead log beside the writer, not inside its commits.
///
/// SQLite's automatic checkpoint runs in the connection that commits the transaction which takes
/// the WAL past 1,000 pages: that commit — a press — then also copies the log into the database
/// and fsyncs the database file before it returns, several milliseconds at the tail of the
/// decided→committed latency. Here the writer connection's WAL hook (which replaces the automatic
/// checkpoint) only notes that the log has grown past the threshold and wakes ``run()``, which
/// checkpoints (PASSIVE: it never blocks the writer or a reader) on a connection of its own.
/// A press is durable when its WAL frame is fsynced, as before; the checkpoint only moves it on.
///
/// Event-driven: ``run()`` sleeps until the log has grown; nothing runs while nobody presses.
public final class WALCheckpointer: Sendable {
    /// SQLite's own default (`wal_autocheckpoint`).
    public static let defaultThresholdPages = 1000

    /// Told when checkpoints start failing (the reason) and when one succeeds again (nil).
    public typealias FailureHandler = @Sendable (_ failure: String?) -> Void

    private struct State {
        var requested = false
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
        var checkpoints = 0
        var failure: String?
    }

    private let state = Mutex(State())
    private let connection: DatabaseQueue
    private let thresholdPages: Int32
    private let onFailureChange: FailureHandler?
    private let onCheckpointed: (@Sendable (_ checkpoints: Int) -> Void)?
    /// The clock of the pause after a failed checkpoint (tests pass one they advance).
    private let clock: any Clock<Duration>

    /// Opens the checkpointing connection to the daemon's database (which is in WAL mode).
    ///   - onFailureChange: called (on the checkpointer's task) when a checkpoint fails with a
    ///     reason other than the last one's, and when one succeeds after a failure.
    ///   - onCheckpointed: called (on the checkpointer's task) after each checkpoint that
    ///     completes, with how many have so far (tests await it).
    ///   - clock: what the pause after a failed checkpoint waits on.
    public init(path: String, thresholdPages: Int = WALCheckpointer.defaultThresholdPages,
                onFailureChange: FailureHandler? = nil,
                onCheckpointed: (@Sendable (_ checkpoints: Int) -> Void)? = nil,
                clock: any Clock<Duration> = ContinuousClock()) throws(StoreError) {
        self.onFailureChange = onFailureChange
        self.onCheckpointed = onCheckpointed
        self.clock = clock
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // With FULL the checkpoint fsyncs the WAL before copying and the database after.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            connection = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw .cannotOpen(path: path, reason: SmileyDatabase.describe(error))
        }
        self.thresholdPages = Int32(clamping: max(1, thresholdPages))
    }

    /// Replaces the automatic checkpoint of the pool's writer connection with this checkpointer.
    /// Call ``uninstall(from:)`` before the checkpointer goes away.
    public func install(on pool: DatabasePool) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        pool.writeWithoutTransaction { db in
            _ = sqlite3_wal_hook(db.sqliteConnection, { context, _, _, pages in
                if let context {
                    Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().walHasGrown(to: pages)
                }
                return SQLITE_OK
            }, context)
        }
    }

    /// Gives the writer connection SQLite's automatic checkpoint back.
    public func uninstall(from pool: DatabasePool) {
        pool.writeWithoutTransaction { db in
            _ = sqlite3_wal_autocheckpoint(db.sqliteConnection, Int32(WALCheckpointer.defaultThresholdPages))
        }
    }

    /// Checkpoints run so far, and the last failure (nil when the last one succeeded).
    public var checkpoints: Int { state.withLock { $0.checkpoints } }
    public var failure: String? { state.withLock { $0.failure } }

    /// Called by SQLite on the writer's thread after each commit, with the WAL's size in pages.
    private func walHasGrown(to pages: Int32) {
        guard pages >= thresholdPages else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.requested = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Checkpoints whenever the log has grown past the threshold, until ``close()``.
    public func run() async {
        while await nextRequest() {
            do {
                try await connection.writeWithoutTransaction { db in
                    _ = try db.checkpoint(.passive)
                }
                let (recovered, checkpoints) = state.withLock { state -> (Bool, Int) in
                    state.checkpoints += 1
                    defer { state.failure = nil }
                    return (state.failure != nil, state.checkpoints)
                }
                if recovered { onFailureChange?(nil) }
                onCheckpointed?(checkpoints)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                // Another connection holds the checkpoint lock (one closing checkpoints as it goes):
                // the log is being copied already. Not a failure; the next commit asks again.
                continue
            } catch {
                // The WAL keeps growing (nothing is lost); the next commit asks again. A full disk
                // fails every attempt: wait a moment rather than spin.
                let reason = SmileyDatabase.describe(error)
                let changed = state.withLock { state -> Bool in
                    defer { state.failure = reason }
                    return state.failure != reason
                }
                if changed { onFailureChange?(reason) }
                try? await clock.sleep(for: .seconds(1), tolerance: nil)
            }
        }
    }

    /// No more checkpoints: ``run()`` returns (SQLite checkpoints when the last connection closes).
    public func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    private func nextRequest() async -> Bool {
        while true {
            let ready = state.withLock { state -> Bool? in
                if state.closed { return false }
                if state.requested {
                    state.requested = false
                    return true
                }
                return nil
            }
            if let ready { return ready }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || state.requested { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}

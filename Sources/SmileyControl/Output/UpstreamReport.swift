import Foundation
import SmileyConfig
import SmileyStore
import SmileyCore

/// The upstream part of `smileyctl status`: from the running daemon when there is one, else from
/// the database.
struct UpstreamReport {
    var url: String
    /// The daemon's live view; nil when it does not run (or runs without upstream).
    var live: SyncStatus?
    var counts: SyncCounts
    var lastSuccessAtMs: Int64?
    var lastError: String?
    var lastErrorAtMs: Int64?
    var quarantined: [SyncBatchInfo]

    static func gather(context: ControlContext, reader: StoreReader, daemon: DaemonStatus?) throws(StoreError) -> UpstreamReport? {
        guard let upstream = context.configuration.upstream else { return nil }
        let counts = try reader.syncCounts()
        let history = try reader.syncHistory()
        let live = daemon?.sync
        return UpstreamReport(
            url: upstream.url, live: live, counts: counts,
            lastSuccessAtMs: live?.lastSuccessAtMs ?? history.lastSuccessAtMs,
            lastError: live.map { $0.lastError } ?? history.lastError,
            lastErrorAtMs: live.map { $0.lastErrorAtMs } ?? history.lastErrorAtMs,
            quarantined: counts.quarantinedBatches > 0 ? try reader.quarantinedBatches(limit: 5) : [])
    }

    var state: String { live?.state.rawValue ?? "daemon not running" }

    var json: JSONValue {
        .object([
            ("url", .string(url)),
            ("state", .string(state)),
            ("backlog", .int(counts.unsynced)),
            ("oldestUnsynced", counts.oldestUnsyncedMs.map { .string(RFC3339.string(ms: $0)) } ?? .null),
            ("lastSuccess", lastSuccessAtMs.map { .string(RFC3339.string(ms: $0)) } ?? .null),
            ("lastError", lastError.map { .string($0) } ?? .null),
            ("lastErrorAt", lastErrorAtMs.map { .string(RFC3339.string(ms: $0)) } ?? .null),
            ("nextAttempt", live?.nextAttemptAtMs.map { .string(RFC3339.string(ms: $0)) } ?? .null),
            ("consecutiveFailures", .int(live?.consecutiveFailures ?? 0)),
            ("holdingForClock", .bool(live?.holdingForClock ?? false)),
            ("quarantinedBatches", .int(counts.quarantinedBatches)),
            ("quarantinedSamples", .int(counts.quarantinedSamples)),
            ("quarantined", .array(quarantined.map { batch in
                .object([
                    ("batch", .string(batch.id.uuidString.lowercased())), ("samples", .int(batch.sampleCount)),
                    ("attempts", .int(batch.attempts)), ("status", batch.lastStatus.map { .int($0) } ?? .null),
                    ("error", batch.lastError.map { .string($0) } ?? .null),
                ])
            })),
            ("lastHeartbeat", live?.lastHeartbeatAtMs.map { .string(RFC3339.string(ms: $0)) } ?? .null),
            ("diskFreeBytes", live?.diskFreeBytes.map { .int(Int($0)) } ?? .null),
            ("lowDisk", live?.lowDisk.map { .string($0) } ?? .null),
        ])
    }

    func lines(terminal: Terminal, zone: Zone) -> [String] {
        func time(_ ms: Int64) -> String { RFC3339.plainLocal(ms: ms, zone: zone) }
        var lines: [String] = []
        let backlog = counts.unsynced == 0 ? terminal.green("backlog empty") : "backlog \(counts.unsynced) sample\(counts.unsynced == 1 ? "" : "s")"
        lines.append("Upstream: \(url) — \(backlog) (\(state))")
        if let oldest = counts.oldestUnsyncedMs, counts.unsynced > 0 {
            lines.append("  Oldest unsynced: \(time(oldest))")
        }
        lines.append("  Last success: " + (lastSuccessAtMs.map(time) ?? "never"))
        if let lastError {
            let when = lastErrorAtMs.map { " (\(time($0)))" } ?? ""
            lines.append("  Last error\(when): " + terminal.yellow(lastError))
        }
        if let next = live?.nextAttemptAtMs {
            lines.append("  Next attempt: \(time(next))")
        }
        if live?.holdingForClock == true {
            lines.append("  " + terminal.yellow("Samples taken before the clock synchronized wait for its correction"))
        }
        if counts.quarantinedBatches > 0 {
            lines.append("  " + terminal.red("Quarantined: \(counts.quarantinedBatches) batch\(counts.quarantinedBatches == 1 ? "" : "es"), \(counts.quarantinedSamples) samples (kept; the receiver refused them)")
                + " — smileyctl sync --retry-quarantined sends them again")
            for batch in quarantined {
                lines.append("    \(batch.id.uuidString.lowercased()): \(batch.sampleCount) samples, \(batch.lastError ?? "no reason recorded")")
            }
        }
        if let low = live?.lowDisk {
            lines.append("  " + terminal.red("LOW DISK: \(low)"))
        }
        return lines
    }
}

import SmileyCore

/// What a sync request reports at the end (`smileyctl sync`, `smileyd --sync-once`): the result,
/// the exit status and the report for people (table) or scripts (json).
public struct SyncOutcome: Sendable {
    public var progress: SyncProgress
    /// Who synced: "daemon" (through the control socket) or "foreground" (`smileyd --sync-once`).
    public var via: String
    public var timeoutSeconds: Int
    public var timedOut: Bool

    public init(progress: SyncProgress, via: String, timeoutSeconds: Int, timedOut: Bool) {
        self.progress = progress
        self.via = via
        self.timeoutSeconds = timeoutSeconds
        self.timedOut = timedOut
    }

    public var result: String {
        if timedOut { return "timeout" }
        if progress.quarantined > 0 { return "quarantined" }
        return "synced"
    }

    /// 0 synced; 65 samples left in quarantined batches; 75 gave up at the timeout.
    public var exitCode: Int32 {
        switch result {
        case "synced": 0
        case "quarantined": 65
        default: 75
        }
    }

    /// The final report in `format`.
    public func report(_ format: SyncReportFormat) -> String {
        switch format {
        case .table: text
        case .json: json.rendered()
        }
    }

    public var text: String {
        switch result {
        case "synced":
            return "synced: \(progress.sent) sample\(progress.sent == 1 ? "" : "s") sent (\(via)); the backlog is empty"
        case "quarantined":
            var line = "not synced: \(progress.quarantined) sample\(progress.quarantined == 1 ? "" : "s") are in quarantined batches: the receiver refused them"
            if let error = progress.lastError { line += " (\(error))" }
            return line + "; fix the cause, then run smileyctl sync --retry-quarantined (\(progress.sent) sent)"
        default:
            var line = "gave up after \(timeoutSeconds) s: \(progress.remaining) sample\(progress.remaining == 1 ? "" : "s") still unsynced (\(progress.sent) sent)"
            if let error = progress.lastError { line += "; last error: \(error)" }
            if progress.quarantined > 0 { line += "; \(progress.quarantined) more in quarantined batches" }
            return line
        }
    }

    public var json: JSONValue {
        .object([
            ("result", .string(result)), ("via", .string(via)), ("sent", .int(progress.sent)),
            ("remaining", .int(progress.remaining)), ("quarantined", .int(progress.quarantined)),
            ("lastError", progress.lastError.map { .string($0) } ?? .null),
        ])
    }
}

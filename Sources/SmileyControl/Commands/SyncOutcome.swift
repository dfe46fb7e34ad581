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

/// What `sync` reports at the end.
struct SyncOutcome {
    var progress: SyncProgress
    var via: String
    var timeoutSeconds: Int
    var timedOut: Bool

    var result: String {
        if timedOut { return "timeout" }
        if progress.quarantined > 0 { return "quarantined" }
        return "synced"
    }

    var exitCode: Int32 {
        switch result {
        case "synced": 0
        case "quarantined": 65
        default: 75
        }
    }

    var text: String {
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

    var json: JSONValue {
        .object([
            ("result", .string(result)), ("via", .string(via)), ("sent", .int(progress.sent)),
            ("remaining", .int(progress.remaining)), ("quarantined", .int(progress.quarantined)),
            ("lastError", progress.lastError.map { .string($0) } ?? .null),
        ])
    }
}

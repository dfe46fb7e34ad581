import Foundation
import SmileyPlatform
#if canImport(Glibc)
import Glibc
#endif

/// One line of progress on standard error, redrawn in place, only when it is a terminal.
public struct ProgressLine: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    public static var standardError: ProgressLine {
        let noColor = ProcessInfo.processInfo.environment["TERM"] == "dumb"
        return ProgressLine(enabled: isatty(STDERR_FILENO) == 1 && !noColor)
    }

    public func show(_ progress: SyncProgress) {
        guard enabled else { return }
        var line = "syncing: \(progress.sent) sent, \(progress.remaining) left"
        if progress.quarantined > 0 { line += ", \(progress.quarantined) quarantined" }
        if let error = progress.lastError {
            if let next = progress.nextAttemptAtMs {
                let seconds = max(0, (next - WallClock.nowMs() + 999) / 1000)
                line += " — retrying in \(seconds) s: \(error)"
            } else {
                line += " — \(error)"
            }
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + String(line.prefix(200))).utf8))
    }

    public func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

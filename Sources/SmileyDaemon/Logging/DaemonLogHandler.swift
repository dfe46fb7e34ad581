import SmileyPlatform
import Foundation
import Logging
import SmileyCore
#if canImport(Glibc)
import Glibc
#endif

/// Log lines for people and for the journal. Under systemd (JOURNAL_STREAM set) each line starts
/// with the sd-daemon priority prefix (`<4>`), so `journalctl -p warning` works and no second
/// timestamp is printed; elsewhere lines carry an ISO time and the level.
///
/// smileyd logs one line per committed press, so a line is built with a few appends into one
/// string and handed to ``LogOutput``, which writes it at once — or, inside
/// ``LogOutput/collecting(_:)`` (the acknowledgement of a committed batch), with the batch's
/// other lines in one write.
public struct DaemonLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let journal: Bool
    private let sink: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, journal: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
                sink: @escaping @Sendable (String) -> Void = { LogOutput.standardError.write($0) }) {
        self.label = label
        self.logLevel = level
        self.journal = journal
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = ""
        line.reserveCapacity(160)
        if journal {
            line += "<"
            line += String(Self.priority(event.level))
            line += ">"
        } else {
            Self.appendTimestamp(to: &line)
            line += " "
            line += event.level.rawValue
            line += " "
            line += label
            line += ": "
        }
        line += event.message.description
        let fields: Logger.Metadata
        if let extra = event.metadata, !extra.isEmpty {
            fields = metadata.isEmpty ? extra : metadata.merging(extra) { $1 }
        } else {
            fields = metadata
        }
        for key in fields.keys.sorted() {
            line += " "
            line += key
            line += "="
            Self.appendQuoted(fields[key].map { "\($0)" } ?? "", to: &line)
        }
        line += "\n"
        sink(line)
    }

    static func quote(_ value: String) -> String {
        var out = ""
        appendQuoted(value, to: &out)
        return out
    }

    static func appendQuoted(_ value: String, to line: inout String) {
        if value.isEmpty || value.utf8.contains(UInt8(ascii: " ")) {
            line += "\""
            line += value
            line += "\""
        } else {
            line += value
        }
    }

    /// syslog priorities, as sd-daemon(3) prefixes.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `2026-11-22T08:16:50.292Z`, from the C library: cheap enough for one line per press.
    static func timestamp() -> String {
        var text = ""
        appendTimestamp(to: &text)
        return text
    }

    /// `2026-11-22T09:15:02.123Z` (RFC 3339, UTC, ms), written straight into the line.
    static func appendTimestamp(to line: inout String) {
        RFC3339.append(ms: WallClock.nowMs(), to: &line)
    }
}

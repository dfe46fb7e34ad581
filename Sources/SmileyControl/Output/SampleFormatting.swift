import SmileyCore
import SmileyStore

/// One raw sample as a CSV line, a JSON object or a line of `tail`. Pure.
enum SampleFormatting {
    static let csvColumns = [
        "id", "recorded_at", "local_time", "utc_offset_seconds", "terminal", "site", "survey", "button",
        "button_name", "scale", "misuse", "held_ms", "clock", "recorded_at_original", "boot_id", "monotonic_ns",
        "sync_state",
    ]
    static let csvHeader = csvColumns.joined(separator: ",")

    static func csvLine(_ s: StoredSample) -> String {
        CSV.line([
            s.id.uuidString.lowercased(), RFC3339.string(ms: s.recordedAtMs),
            RFC3339.string(ms: s.recordedAtMs, offsetSeconds: s.utcOffsetSeconds), String(s.utcOffsetSeconds),
            CSV.text(s.terminal), CSV.text(s.site), CSV.text(s.survey), String(s.button), CSV.text(s.buttonName),
            String(s.scale),
            s.misuse?.rawValue ?? "", s.heldMs.map { String($0) } ?? "", s.clockState,
            s.originalRecordedAtMs.map { RFC3339.string(ms: $0) } ?? "", s.bootID, String(s.monotonicNs), s.syncState,
        ])
    }

    static func json(_ s: StoredSample) -> JSONValue {
        .object([
            ("id", .string(s.id.uuidString.lowercased())),
            ("recordedAt", .string(RFC3339.string(ms: s.recordedAtMs))),
            ("localTime", .string(RFC3339.string(ms: s.recordedAtMs, offsetSeconds: s.utcOffsetSeconds))),
            ("utcOffsetSeconds", .int(s.utcOffsetSeconds)),
            ("terminal", .string(s.terminal)),
            ("site", .string(s.site)),
            ("survey", .string(s.survey)),
            ("button", .int(s.button)),
            ("buttonName", .string(s.buttonName)),
            ("scale", .int(s.scale)),
            ("misuse", s.misuse.map { .string($0.rawValue) } ?? .null),
            ("heldMs", s.heldMs.map { .int(Int($0)) } ?? .null),
            ("clock", .string(s.clockState)),
            ("clockSynchronized", .bool(s.clockSynchronized)),
            ("recordedAtOriginal", s.originalRecordedAtMs.map { .string(RFC3339.string(ms: $0)) } ?? .null),
            ("bootId", .string(s.bootID)),
            ("monotonicNs", .string(String(s.monotonicNs))),
            ("syncState", .string(s.syncState)),
        ])
    }

    /// `2026-11-22 11:15:02  very-happy     accepted` (+ flags), for `tail`.
    static func tailLine(_ s: StoredSample, nameWidth: Int, terminal: Terminal) -> String {
        var line = RFC3339.plainLocal(ms: s.recordedAtMs, offsetSeconds: s.utcOffsetSeconds) + "  "
        let name = s.buttonName.padded(nameWidth)
        let value = Scale.value(ofButton: s.button, scale: s.scale)
        line += value < 40 ? terminal.red(name) : value < 60 ? terminal.yellow(name) : terminal.green(name)
        switch s.misuse {
        case .none: line += "  accepted"
        case .interval?: line += "  " + terminal.dim("flagged: too soon after another press")
        case .simultaneous?: line += "  " + terminal.dim("flagged: two buttons at once")
        }
        if let held = s.heldMs { line += "  " + terminal.yellow("held \(held) ms") }
        if s.clockState != "synchronized" { line += "  (clock \(s.clockState))" }
        return line
    }
}

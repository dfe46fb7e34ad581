import SmileyCore

extension WireDecoder {
    enum HeartbeatKey: String, WireKey {
        case terminal, site, version, sentAt, uptimeSeconds, backlog, lastPressAt, lastSyncAt, clockSynchronized,
             heldButtons, floodingButtons, diskFreeBytes, lowDisk, quarantinedBatches, quarantinedSamples, lastError
    }

    /// The members api/openapi.yaml requires of a heartbeat, in its order.
    public static let heartbeatRequired: [String] = [
        "terminal", "site", "version", "sentAt", "uptimeSeconds", "backlog", "clockSynchronized", "heldButtons",
        "lowDisk", "quarantinedBatches", "quarantinedSamples",
    ]

    /// Members a newer terminal adds are skipped (the schema allows them); a required member that
    /// is missing or null is named in one message with the others missing.
    static func readHeartbeat(_ bytes: UnsafeBufferPointer<UInt8>) throws(WireDecodingError) -> Heartbeat {
        var terminal, site, version, sentAt, lastPressAt, lastSyncAt, lastError: String?
        var uptimeSeconds, backlog, diskFreeBytes, quarantinedBatches, quarantinedSamples: Int64?
        var clockSynchronized, lowDisk: Bool?
        var heldButtons, floodingButtons: [String]?
        var floodingNull = false
        try readObject(bytes, document: "heartbeat", HeartbeatKey.self, unknown: .skipped) { (key, reader, path) throws(WireReader.Failure) in
            if try reader.null() {
                if key == .floodingButtons { floodingNull = true }
                return
            }
            switch key {
            case .terminal: terminal = try reader.string()
            case .site: site = try reader.string()
            case .version: version = try reader.string()
            case .sentAt: sentAt = try reader.string()
            case .lastPressAt: lastPressAt = try reader.string()
            case .lastSyncAt: lastSyncAt = try reader.string()
            case .lastError: lastError = try reader.string()
            case .uptimeSeconds: uptimeSeconds = try reader.integer()
            case .backlog: backlog = try reader.integer()
            case .diskFreeBytes: diskFreeBytes = try reader.integer()
            case .quarantinedBatches: quarantinedBatches = try reader.integer()
            case .quarantinedSamples: quarantinedSamples = try reader.integer()
            case .clockSynchronized: clockSynchronized = try reader.bool()
            case .lowDisk: lowDisk = try reader.bool()
            case .heldButtons, .floodingButtons:
                var names: [String] = []
                try reader.beginArray()
                var elements = 0
                while try reader.nextElement(count: &elements) {
                    path.index = names.count
                    names.append(try reader.string())
                }
                path.index = nil
                if key == .heldButtons { heldButtons = names } else { floodingButtons = names }
            }
        }
        if floodingNull { throw .contract("floodingButtons", "expected a list of button names; null is not allowed (leave it out)") }
        var missing: [String] = []
        if terminal == nil { missing.append("terminal") }
        if site == nil { missing.append("site") }
        if version == nil { missing.append("version") }
        if sentAt == nil { missing.append("sentAt") }
        if uptimeSeconds == nil { missing.append("uptimeSeconds") }
        if backlog == nil { missing.append("backlog") }
        if clockSynchronized == nil { missing.append("clockSynchronized") }
        if heldButtons == nil { missing.append("heldButtons") }
        if lowDisk == nil { missing.append("lowDisk") }
        if quarantinedBatches == nil { missing.append("quarantinedBatches") }
        if quarantinedSamples == nil { missing.append("quarantinedSamples") }
        guard missing.isEmpty, let version, let sentAt, let uptimeSeconds, let backlog, let clockSynchronized,
              let heldButtons, let lowDisk, let quarantinedBatches, let quarantinedSamples else {
            throw WireDecodingError(message: "the heartbeat lacks \(missing.joined(separator: ", "))", path: "")
        }
        return Heartbeat(
            terminal: try identifier(terminal, "terminal"), site: try identifier(site, "site"), version: version,
            sentAt: try instant(sentAt, "sentAt"), uptimeSeconds: try count(uptimeSeconds, "uptimeSeconds"),
            backlog: Int(try count(backlog, "backlog")),
            lastPressAt: try lastPressAt.map { (text) throws(WireDecodingError) in try instant(text, "lastPressAt") },
            lastSyncAt: try lastSyncAt.map { (text) throws(WireDecodingError) in try instant(text, "lastSyncAt") },
            clockSynchronized: clockSynchronized, heldButtons: heldButtons,
            diskFreeBytes: try diskFreeBytes.map { (value) throws(WireDecodingError) in try count(value, "diskFreeBytes") },
            lowDisk: lowDisk, quarantinedBatches: Int(try count(quarantinedBatches, "quarantinedBatches")),
            quarantinedSamples: Int(try count(quarantinedSamples, "quarantinedSamples")), lastError: lastError,
            floodingButtons: floodingButtons ?? [])
    }

    /// 0 to 2^53 - 1 (the schema's bounds for counts and sizes).
    static func count(_ value: Int64, _ path: String) throws(WireDecodingError) -> Int64 {
        guard 0...Heartbeat.maxCount ~= value else { throw .contract(path, "expected 0 to \(Heartbeat.maxCount)") }
        return value
    }

    /// An RFC 3339 time (`format: date-time`), kept as written.
    static func instant(_ text: String, _ path: String) throws(WireDecodingError) -> String {
        guard RFC3339.ms(parsing: text) != nil else {
            throw .contract(path, "expected an RFC 3339 time such as 2026-11-22T09:15:02.123Z")
        }
        return text
    }
}

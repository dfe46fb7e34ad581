import SmileyCore
import SmileyWire

/// `GET /v1/fleet/terminals`: each terminal with its site, totals, last heartbeat and health, one page.
public struct FleetTerminalsAnswer: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var terminal: String
        public var site: String?
        public var region: String?
        public var samples: Int
        public var lastBatchAt: String?
        public var lastHeartbeatAt: String?
        /// Whether the site is open now by its opening hours; absent when it has none.
        public var siteOpen: Bool?
        public var health: TerminalHealth
        public var heartbeat: Heartbeat?
    }

    public var scope: FleetScopeDescription
    /// The heartbeat interval terminals are expected to keep (`terminal-heartbeat-seconds`).
    public var heartbeatSeconds: Int
    public var terminals: [Entry]
    public var next: String?

    public var csv: String {
        var lines = [CSV.line(["terminal", "site", "region", "state", "missed_heartbeats", "incident", "problems", "samples",
                               "last_batch_at", "last_heartbeat_at", "backlog", "version"])]
        for entry in terminals {
            lines.append(CSV.line([CSV.text(entry.terminal), CSV.text(entry.site ?? ""), CSV.text(entry.region ?? ""),
                                   entry.health.state.rawValue, String(entry.health.missedHeartbeats), String(entry.health.incident),
                                   entry.health.problems.joined(separator: " "), String(entry.samples), entry.lastBatchAt ?? "",
                                   entry.lastHeartbeatAt ?? "", FleetCSV.number(entry.heartbeat?.backlog),
                                   CSV.text(entry.heartbeat?.version ?? "")]))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

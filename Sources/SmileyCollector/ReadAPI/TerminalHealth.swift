import SmileyWire

/// How a terminal is doing, from its last heartbeat: the fleet list's `state` and `problems`.
/// Pure: the caller gives the time, the heartbeat interval terminals are set to, and whether the
/// terminal's site is open now (an offline terminal in a closed store is not an incident).
public struct TerminalHealth: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Heard from within one interval (and a grace).
        case online
        /// One or two heartbeats missed.
        case late
        /// Three or more missed: the usual rule for a device counted as gone.
        case offline
        /// Never sent a heartbeat.
        case silent
    }

    public var state: State
    public var missedHeartbeats: Int
    /// Stable codes, in this order: `held-buttons`, `flooding`, `low-disk`, `quarantined`,
    /// `clock-unsynchronized`, `error`.
    public var problems: [String]
    /// Someone should look: offline while the site is open (or its hours are unknown), or a problem.
    public var incident: Bool

    /// Missed heartbeats from which a terminal counts as offline.
    public static let offlineAfterMissed = 3

    public static func assess(nowMs: Int64, lastHeartbeatMs: Int64?, intervalSeconds: Int, heartbeat: Heartbeat?,
                              siteOpen: Bool?) -> TerminalHealth {
        var problems: [String] = []
        if let heartbeat {
            if !heartbeat.heldButtons.isEmpty { problems.append("held-buttons") }
            if !heartbeat.floodingButtons.isEmpty { problems.append("flooding") }
            if heartbeat.lowDisk { problems.append("low-disk") }
            if heartbeat.quarantinedBatches > 0 || heartbeat.quarantinedSamples > 0 { problems.append("quarantined") }
            if !heartbeat.clockSynchronized { problems.append("clock-unsynchronized") }
            if heartbeat.lastError != nil { problems.append("error") }
        }
        guard let lastHeartbeatMs else {
            return TerminalHealth(state: .silent, missedHeartbeats: 0, problems: problems, incident: !problems.isEmpty)
        }
        let intervalMs = Int64(max(intervalSeconds, 1)) * 1000
        // A heartbeat a little late is not missed: a grace of a tenth of the interval, at most a minute.
        let graceMs = min(intervalMs / 10, 60_000)
        let age = max(nowMs - lastHeartbeatMs - graceMs, 0)
        let missed = Int(min(age / intervalMs, Int64(Int32.max)))
        let state: State = missed == 0 ? .online : missed < offlineAfterMissed ? .late : .offline
        let incident = (state == .offline && siteOpen != false) || !problems.isEmpty
        return TerminalHealth(state: state, missedHeartbeats: missed, problems: problems, incident: incident)
    }
}

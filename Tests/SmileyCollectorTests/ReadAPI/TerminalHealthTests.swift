import SmileyWire
import Testing
@testable import SmileyCollector

/// The fleet list's terminal state, from the last heartbeat, the interval and the site's hours.
@Suite struct TerminalHealthTests {
    static let minute: Int64 = 60_000

    func beat(held: [String] = [], flooding: [String] = [], lowDisk: Bool = false, quarantined: Int = 0,
              synchronized: Bool = true, error: String? = nil) -> Heartbeat {
        Heartbeat(terminal: "t", site: "s", version: "0.1.0", sentAt: "2026-11-22T09:15:02.123Z", uptimeSeconds: 1, backlog: 0,
                  lastPressAt: nil, lastSyncAt: nil, clockSynchronized: synchronized, heldButtons: held,
                  diskFreeBytes: nil, lowDisk: lowDisk, quarantinedBatches: quarantined, quarantinedSamples: quarantined,
                  lastError: error, floodingButtons: flooding)
    }

    // Interval 15 min, grace 1 min: online below 16 min, late (1–2 missed) below 46 min, then offline.
    @Test(arguments: [
        (0, TerminalHealth.State.online, 0), (15, .online, 0), (16, .late, 1), (45, .late, 2), (46, .offline, 3),
        (60 * 24, .offline, 95),
    ])
    func stateByAge(minutes: Int64, state: TerminalHealth.State, missed: Int) {
        let now: Int64 = 1_800_000_000_000
        let health = TerminalHealth.assess(nowMs: now, lastHeartbeatMs: now - minutes * Self.minute, intervalSeconds: 900,
                                           heartbeat: beat(), siteOpen: true)
        #expect(health.state == state)
        #expect(health.missedHeartbeats == missed)
        #expect(health.incident == (state == .offline))
    }

    @Test func offlineInAClosedStoreIsNoIncident() {
        let now: Int64 = 1_800_000_000_000
        let closed = TerminalHealth.assess(nowMs: now, lastHeartbeatMs: now - 120 * Self.minute, intervalSeconds: 900,
                                           heartbeat: beat(), siteOpen: false)
        #expect(closed.state == .offline && !closed.incident)
        let unknownHours = TerminalHealth.assess(nowMs: now, lastHeartbeatMs: now - 120 * Self.minute, intervalSeconds: 900,
                                                 heartbeat: beat(), siteOpen: nil)
        #expect(unknownHours.incident)
    }

    @Test func problemsFromTheHeartbeat() {
        let now: Int64 = 1_800_000_000_000
        let all = TerminalHealth.assess(nowMs: now, lastHeartbeatMs: now, intervalSeconds: 900,
                                        heartbeat: beat(held: ["happy"], flooding: ["sad"], lowDisk: true, quarantined: 1,
                                                        synchronized: false, error: "x"), siteOpen: false)
        #expect(all.problems == ["held-buttons", "flooding", "low-disk", "quarantined", "clock-unsynchronized", "error"])
        #expect(all.state == .online && all.incident)
        let silent = TerminalHealth.assess(nowMs: now, lastHeartbeatMs: nil, intervalSeconds: 900, heartbeat: nil, siteOpen: true)
        #expect(silent == TerminalHealth(state: .silent, missedHeartbeats: 0, problems: [], incident: false))
        let skewed = TerminalHealth.assess(nowMs: now, lastHeartbeatMs: now + 10 * Self.minute, intervalSeconds: 900,
                                           heartbeat: beat(), siteOpen: true)
        #expect(skewed.state == .online)
    }
}

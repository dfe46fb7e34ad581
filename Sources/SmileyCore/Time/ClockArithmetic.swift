/// The arithmetic of wall time versus monotonic time (journald's model). Pure.
public enum ClockArithmetic {
    /// Wall time of an event `ageNs` before a wall reading `wallNowMs`.
    public static func wallMs(ofMonotonic eventNs: UInt64, monotonicNowNs: UInt64, wallNowMs: Int64) -> Int64 {
        if eventNs >= monotonicNowNs {
            return wallNowMs + Int64((eventNs - monotonicNowNs) / 1_000_000)
        }
        return wallNowMs - Int64((monotonicNowNs - eventNs) / 1_000_000)
    }

    /// Corrected wall time of a record taken before the clock was synchronized, in the same boot:
    /// wall = wall_at_sync − (mono_at_sync − mono_of_record).
    public static func corrected(recordMonotonicNs: UInt64, syncMonotonicNs: UInt64, syncWallMs: Int64) -> Int64 {
        wallMs(ofMonotonic: recordMonotonicNs, monotonicNowNs: syncMonotonicNs, wallNowMs: syncWallMs)
    }

    /// Wall time of a replayed edge.
    public static func replayWallMs(edgeNs: UInt64, firstEdgeNs: UInt64, startWallMs: Int64) -> Int64 {
        wallMs(ofMonotonic: edgeNs, monotonicNowNs: firstEdgeNs, wallNowMs: startWallMs)
    }
}

/// How a source's monotonic edge timestamps map onto wall-clock time.
public enum TimeBase: Sendable, Hashable {
    /// Edges carry this boot's CLOCK_MONOTONIC: wall time is read from the system clock at the
    /// moment the press is decided and moved back by the edge's age.
    case live
    /// A replayed trace: its first edge happened at `startWallMs` (ms since 1970, UTC).
    case replay(startWallMs: Int64, firstEdgeNs: UInt64, bootID: String)
}

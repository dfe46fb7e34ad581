/// A rollup row (hourly or daily) that differs from a recount of the raw samples (``CollectorStorage/rollupMismatches()``):
/// its key, the count stored and the count recounted (0 when the row is missing on that side),
/// and both button names (nil when missing).
public struct RollupMismatch: Sendable, Equatable, CustomStringConvertible {
    public var site: String
    public var localDay: String
    public var terminal: String
    public var survey: String
    public var scale: Int
    public var button: Int
    /// nil: a row of the day rollup.
    public var hour: Int?
    /// nil: accepted samples.
    public var misuse: String?
    public var stored: Int
    public var recounted: Int
    public var storedName: String?
    public var recountedName: String?

    public var description: String {
        "\(site) \(localDay) \(hour.map { "\($0)h" } ?? "day") \(terminal) \(survey)/\(scale) button \(button) \(misuse ?? "accepted"): "
            + "stored \(stored) (\(storedName ?? "-")), recounted \(recounted) (\(recountedName ?? "-"))"
    }
}

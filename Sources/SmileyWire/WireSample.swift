import Foundation
import SmileyCore

/// One press as the upstream contract carries it (api/openapi.yaml, `Sample`): what the terminal
/// sends and what the collector stores.
public struct WireSample: Sendable, Hashable {
    /// The sample id (UUID v7, time-ordered); receivers deduplicate by it.
    public var id: UUID
    public var survey: String
    /// 0 = most negative; less than `scale`.
    public var button: Int
    public var buttonName: String
    /// Buttons on the terminal, 2 to 5.
    public var scale: Int
    /// UTC, ms since 1970.
    public var recordedAtMs: Int64
    /// The terminal's zone offset at the press, -64800 to 64800.
    public var utcOffsetSeconds: Int
    /// True when `recordedAtMs` comes from a synchronized clock (at the press, or corrected later
    /// in the same boot).
    public var clockSynchronized: Bool
    public var misuse: MisuseReason?

    public init(id: UUID, survey: String, button: Int, buttonName: String, scale: Int, recordedAtMs: Int64,
                utcOffsetSeconds: Int, clockSynchronized: Bool, misuse: MisuseReason?) {
        self.id = id
        self.survey = survey
        self.button = button
        self.buttonName = buttonName
        self.scale = scale
        self.recordedAtMs = recordedAtMs
        self.utcOffsetSeconds = utcOffsetSeconds
        self.clockSynchronized = clockSynchronized
        self.misuse = misuse
    }

    /// `YYYY-MM-DD` of the press in the terminal's zone (its offset at the press).
    public var localDay: String { RFC3339.day(ofMs: recordedAtMs + Int64(utcOffsetSeconds) * 1000) }

    /// The largest |utcOffsetSeconds| the contract allows (18 hours).
    public static let maxUTCOffsetSeconds = 18 * 3600
}

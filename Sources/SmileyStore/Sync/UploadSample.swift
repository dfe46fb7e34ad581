import Foundation
import GRDB
import SmileyCore

/// A sample as the upstream sync sends it: what the wire format carries, nothing more.
public struct UploadSample: Sendable, Hashable {
    public var rowID: Int64
    public var id: UUID
    public var terminal: String
    public var site: String
    public var survey: String
    public var button: Int
    public var buttonName: String
    public var scale: Int
    /// UTC, ms since 1970 (after a clock correction, the corrected time).
    public var recordedAtMs: Int64
    public var utcOffsetSeconds: Int
    /// True when `recordedAtMs` comes from a synchronized clock: at the press, or by correcting
    /// the press's time after the clock synchronized later in the same boot.
    public var clockSynchronized: Bool
    public var misuse: MisuseReason?

    public init(rowID: Int64, id: UUID, terminal: String, site: String, survey: String, button: Int,
                buttonName: String, scale: Int, recordedAtMs: Int64, utcOffsetSeconds: Int,
                clockSynchronized: Bool, misuse: MisuseReason?) {
        self.rowID = rowID
        self.id = id
        self.terminal = terminal
        self.site = site
        self.survey = survey
        self.button = button
        self.buttonName = buttonName
        self.scale = scale
        self.recordedAtMs = recordedAtMs
        self.utcOffsetSeconds = utcOffsetSeconds
        self.clockSynchronized = clockSynchronized
        self.misuse = misuse
    }

    /// The columns `SyncStore` reads a row from, in its order.
    static let columns = """
        id, uuid, terminal, site, survey, button, button_name, scale, recorded_at, utc_offset,
        clock_synchronized, recorded_at_original, misuse
        """
}

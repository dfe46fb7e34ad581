import Foundation
import SmileyCore

/// A press about to be stored: everything the `sample` table holds at insert time.
public struct NewSample: Sendable, Hashable {
    public var id: UUID
    public var terminal: String
    public var site: String
    public var survey: String
    public var button: Int
    public var scale: Int
    public var buttonName: String
    /// UTC, ms since 1970.
    public var recordedAtMs: Int64
    public var utcOffsetSeconds: Int
    public var bootID: String
    public var monotonicNs: UInt64
    public var clockSynchronized: Bool
    public var misuse: MisuseReason?

    public init(id: UUID, terminal: String, site: String, survey: String, button: Int, scale: Int,
                buttonName: String, recordedAtMs: Int64, utcOffsetSeconds: Int, bootID: String,
                monotonicNs: UInt64, clockSynchronized: Bool, misuse: MisuseReason?) {
        self.id = id
        self.terminal = terminal
        self.site = site
        self.survey = survey
        self.button = button
        self.scale = scale
        self.buttonName = buttonName
        self.recordedAtMs = recordedAtMs
        self.utcOffsetSeconds = utcOffsetSeconds
        self.bootID = bootID
        self.monotonicNs = monotonicNs
        self.clockSynchronized = clockSynchronized
        self.misuse = misuse
    }
}

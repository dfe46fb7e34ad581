import Foundation
import SmileyCore
import SmileyWire

/// A stored row on its way upstream: the contract's sample (``WireSample``, one type for that role)
/// plus the row and the terminal/site it is sent under. Reads `sample.survey` etc. through to `wire`.
@dynamicMemberLookup
public struct UploadSample: Sendable, Hashable {
    public var rowID: Int64
    public var terminal: String
    public var site: String
    /// What the wire format carries of this row (after a clock correction, the corrected time).
    public var wire: WireSample

    public init(rowID: Int64, terminal: String, site: String, wire: WireSample) {
        self.rowID = rowID
        self.terminal = terminal
        self.site = site
        self.wire = wire
    }

    public init(rowID: Int64, id: UUID, terminal: String, site: String, survey: String, button: Int,
                buttonName: String, scale: Int, recordedAtMs: Int64, utcOffsetSeconds: Int,
                clockSynchronized: Bool, misuse: MisuseReason?) {
        self.init(rowID: rowID, terminal: terminal, site: site,
                  wire: WireSample(id: id, survey: survey, button: button, buttonName: buttonName, scale: scale,
                                   recordedAtMs: recordedAtMs, utcOffsetSeconds: utcOffsetSeconds,
                                   clockSynchronized: clockSynchronized, misuse: misuse))
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<WireSample, Value>) -> Value {
        get { wire[keyPath: keyPath] }
        set { wire[keyPath: keyPath] = newValue }
    }

    /// The columns `SyncStore` reads a row from, in its order.
    static let columns = """
        id, uuid, terminal, site, survey, button, button_name, scale, recorded_at, utc_offset,
        clock_synchronized, recorded_at_original, misuse
        """
}

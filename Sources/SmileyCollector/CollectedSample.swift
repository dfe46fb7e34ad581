import SmileyWire

/// A sample as the collector holds it: the wire sample and where it came from. Its members read
/// through (`collected.recordedAtMs`).
@dynamicMemberLookup
public struct CollectedSample: Sendable, Hashable {
    public var terminal: String
    public var site: String
    /// The key of the batch that first delivered it.
    public var batch: String
    public var sample: WireSample

    public init(terminal: String, site: String, batch: String, sample: WireSample) {
        self.terminal = terminal
        self.site = site
        self.batch = batch
        self.sample = sample
    }

    public subscript<Value>(dynamicMember member: KeyPath<WireSample, Value>) -> Value {
        sample[keyPath: member]
    }

    /// The misuse reason as the collector stores it: its text, or nil.
    public var misuse: String? { sample.misuse?.rawValue }
}

import SmileyWire

/// The bounds the collector puts on a heartbeat's free-form members (api/openapi.yaml, `Heartbeat`),
/// so that what it stores and serves in `GET /v1/terminals` stays small.
extension Heartbeat {
    static let maxVersionLength = 64
    static let maxLastErrorLength = 2048
    static let maxButtons = 64

    /// What is out of bounds, naming the member and what is allowed; nil when all is well.
    var limitProblem: String? {
        if version.isEmpty || version.count > Self.maxVersionLength
            || version.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "version: expected 1 to \(Self.maxVersionLength) characters without control characters"
        }
        if let lastError, lastError.count > Self.maxLastErrorLength {
            return "lastError: expected at most \(Self.maxLastErrorLength) characters, got \(lastError.count)"
        }
        for (member, names) in [("heldButtons", heldButtons), ("floodingButtons", floodingButtons)] {
            if names.count > Self.maxButtons {
                return "\(member): expected at most \(Self.maxButtons) button names, got \(names.count)"
            }
            if let index = names.firstIndex(where: { !WireDecoder.isIdentifier($0) }) {
                return "\(member)[\(index)]: expected a button name of 1 to \(WireDecoder.maxIdentifierLength) characters "
                    + "without control characters"
            }
        }
        return nil
    }
}

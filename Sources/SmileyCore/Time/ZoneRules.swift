/// A zone's offsets from UTC: the transitions of its TZif table, then the POSIX rule of its footer
/// for every instant after the last one (tz databases compiled "slim" stop the table early).
struct ZoneRules: Sendable {
    /// Transition instants (seconds since 1970), ascending.
    var transitions: [Int64]
    /// The offset (seconds east of UTC) in force from each transition on.
    var offsets: [Int]
    /// The offset before the first transition.
    var initialOffset: Int
    /// The rule after the last transition; nil: the last offset stays.
    var footer: PosixTZRule?

    static let utc = ZoneRules(transitions: [], offsets: [], initialOffset: 0, footer: nil)

    func offset(atSeconds t: Int64) -> Int {
        if let last = transitions.last, t >= last, let footer { return footer.offset(atSeconds: t) }
        if transitions.isEmpty, let footer { return footer.offset(atSeconds: t) }
        // The last transition at or before t.
        var low = 0, high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= t { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? initialOffset : offsets[low - 1]
    }
}

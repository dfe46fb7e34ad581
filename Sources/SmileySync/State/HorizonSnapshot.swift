/// The highest sample row id at an instant: rows up to it are settled once `settle` has passed
/// since (a re-flag can no longer change them).
struct HorizonSnapshot: Sendable, Hashable {
    var rowID: Int64
    var at: Duration
}

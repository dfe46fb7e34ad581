/// One group of rollups as both storages read it for the fleet queries: the grouping's values
/// (only those of its ``RollupGrouping``; the others stay at their defaults), the survey's
/// button and misuse reason (nil: accepted), the least of its button names, and the samples.
struct RollupRow: Sendable, Equatable {
    var site = ""
    var weekday = 0
    var hour = 0
    var survey: String
    var scale: Int
    var button: Int
    var name: String
    var misuse: String?
    var count: Int
}

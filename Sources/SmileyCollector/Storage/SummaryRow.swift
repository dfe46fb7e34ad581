/// One group of a site's day as both storages read it: a survey's button and misuse reason, the
/// button's name (the least of the names sent), and how many samples.
struct SummaryRow: Sendable {
    var survey: String
    var scale: Int
    var button: Int
    var name: String
    var misuse: String?
    var count: Int
}

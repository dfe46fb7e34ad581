/// A `smileyctl sync` request the machine follows: the samples unsynced when it came (row ids up
/// to `horizon`) and the progress reported so far.
struct SyncRequestState: Sendable {
    var horizon: Int64
    var progress: SyncProgress
}

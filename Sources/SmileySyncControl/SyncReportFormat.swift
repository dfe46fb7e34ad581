/// How a sync request's final report is printed: a line for people, or one JSON object for scripts.
public enum SyncReportFormat: String, CaseIterable, Sendable {
    case table
    case json
}

/// How a read answers: JSON (the default) or CSV, by `format=` or else the `Accept` header.
public enum ResponseFormat: String, Sendable {
    case json, csv

    public var contentType: String {
        switch self {
        case .json: "application/json"
        case .csv: "text/csv; charset=utf-8"
        }
    }

    public static func read(_ query: inout QueryReader, accept: String?) throws(CollectorHTTPError) -> ResponseFormat {
        if let given = try query.single("format") {
            guard let format = ResponseFormat(rawValue: given) else {
                throw CollectorHTTPError(.badRequest, "\(query.endpoint): format=\(given) is not known; use json or csv")
            }
            return format
        }
        let accepted = (accept ?? "").lowercased()
        return accepted.contains("text/csv") && !accepted.contains("application/json") ? .csv : .json
    }
}

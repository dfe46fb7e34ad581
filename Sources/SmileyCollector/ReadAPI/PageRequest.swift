import Foundation

/// One page of a listing: at most `limit` rows after the row the `cursor` names. The cursor is
/// opaque to clients (base64url of a version and the last row's key), so the key's form may change.
public struct PageRequest: Sendable, Hashable {
    public var limit: Int
    /// The key of the last row of the previous page; nil for the first page.
    public var after: String?

    public static let defaultLimit = 100
    public static let maxLimit = 1000

    public init(limit: Int = defaultLimit, after: String? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Reads `limit` and `cursor`.
    public static func read(_ query: inout QueryReader) throws(CollectorHTTPError) -> PageRequest {
        var page = PageRequest()
        if let limit = try query.single("limit") {
            guard limit.utf8.count <= 4, limit.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int(limit),
                  (1...maxLimit).contains(value) else {
                throw CollectorHTTPError(.badRequest, "\(query.endpoint): limit=\(limit) is not valid; expected 1 to \(maxLimit)")
            }
            page.limit = value
        }
        if let cursor = try query.single("cursor") {
            guard let after = decode(cursor) else {
                throw CollectorHTTPError(.badRequest, "\(query.endpoint): cursor is not one this collector gave; "
                    + "start again without cursor= and follow each answer's next cursor")
            }
            page.after = after
        }
        return page
    }

    /// The cursor that continues after `key`.
    public static func cursor(after key: String) -> String {
        Data(("1:" + key).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> String? {
        guard !cursor.isEmpty, cursor.utf8.allSatisfy({ $0 == 45 || $0 == 95 || (48...57).contains($0)
            || (65...90).contains($0) || (97...122).contains($0) }) else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              text.hasPrefix("1:") else { return nil }
        return String(text.dropFirst(2))
    }
}

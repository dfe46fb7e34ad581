import Foundation

/// A JSON value whose object keys keep the order they were written in, so machine output is
/// stable and reads in a sensible order (smileyctl's output, and smileyd's `--sync-once` report).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered() == b.rendered() }

    /// Compact JSON (one line).
    public func rendered() -> String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value):
            guard value.isFinite else { return "null" }
            if value == value.rounded() && abs(value) < 1e15 { return String(format: "%.1f", value) }
            return String(value)
        case .string(let value): return Self.quote(value)
        case .array(let values): return "[" + values.map { $0.rendered() }.joined(separator: ",") + "]"
        case .object(let pairs):
            return "{" + pairs.map { Self.quote($0.0) + ":" + $0.1.rendered() }.joined(separator: ",") + "}"
        }
    }

    public static func quote(_ text: String) -> String {
        JSONStringLiteral.quoted(text)
    }
}

extension JSONValue {
    public init(_ value: Double?) {
        self = value.map { .double($0) } ?? .null
    }
}

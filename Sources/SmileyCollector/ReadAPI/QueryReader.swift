/// A read request's query parameters, taken one name at a time; whatever no parser asked for is
/// refused (a misspelt `regoin=` must not silently widen a read to the whole fleet).
public struct QueryReader: Sendable {
    private var values: [String: [String]]
    private var read: Set<String> = []
    /// The endpoint, for messages (`/v1/fleet/summary`).
    public let endpoint: String

    public static let maxParameters = 128
    public static let maxValueLength = 256

    public init(endpoint: String, pairs: [(String, String)]) throws(CollectorHTTPError) {
        self.endpoint = endpoint
        guard pairs.count <= Self.maxParameters else {
            throw CollectorHTTPError(.badRequest, "\(endpoint): at most \(Self.maxParameters) query parameters")
        }
        var values: [String: [String]] = [:]
        for (name, value) in pairs {
            guard value.utf8.count <= Self.maxValueLength else {
                throw CollectorHTTPError(.badRequest, "\(endpoint): \(name) is longer than \(Self.maxValueLength) bytes")
            }
            values[name, default: []].append(value)
        }
        self.values = values
    }

    /// The parameter's one value, nil when absent; 400 when given twice.
    public mutating func single(_ name: String) throws(CollectorHTTPError) -> String? {
        read.insert(name)
        guard let given = values[name] else { return nil }
        guard given.count == 1 else {
            throw CollectorHTTPError(.badRequest, "\(endpoint): \(name) is given \(given.count) times; give it once")
        }
        return given[0]
    }

    /// Every value of a repeatable parameter, in order.
    public mutating func all(_ name: String) -> [String] {
        read.insert(name)
        return values[name] ?? []
    }

    /// 400 naming the parameters nobody read and the ones this endpoint takes.
    public func finish() throws(CollectorHTTPError) {
        let unknown = values.keys.filter { !read.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw CollectorHTTPError(.badRequest, "\(endpoint): unknown query parameter\(unknown.count == 1 ? "" : "s") "
                + unknown.joined(separator: ", ") + "; it takes " + read.sorted().joined(separator: ", "))
        }
    }
}

extension OpeningHours {
    /// A day of the week as opening hours name it (`mon` … `sun`), Monday first (ISO 8601).
    public enum Day: Int, CaseIterable, Sendable, Comparable, Codable {
        case mon = 1, tue, wed, thu, fri, sat, sun

        public var name: String { String(describing: self) }

        init?(name: String) {
            guard let day = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = day
        }

        public static func < (a: Day, b: Day) -> Bool { a.rawValue < b.rawValue }
    }
}

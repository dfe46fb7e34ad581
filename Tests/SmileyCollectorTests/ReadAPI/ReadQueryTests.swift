import SmileyCore
import Testing
@testable import SmileyCollector

/// The fleet read API's query parsing: periods, scopes, pages, formats, unknown parameters.
@Suite struct ReadQueryTests {
    func reader(_ pairs: [(String, String)]) throws -> QueryReader {
        try QueryReader(endpoint: "/v1/fleet/summary", pairs: pairs)
    }

    func period(_ pairs: [(String, String)]) throws -> FleetPeriod {
        var query = try reader(pairs)
        return try FleetPeriod.read(&query)
    }

    func refusal(_ pairs: [(String, String)], _ read: (inout QueryReader) throws -> Void) throws -> String {
        var query = try reader(pairs)
        do {
            try read(&query)
            try query.finish()
        } catch let error as CollectorHTTPError {
            #expect(error.status == .badRequest)
            return error.message
        }
        Issue.record("\(pairs) was accepted")
        return ""
    }

    @Test func periodsNameTheirDays() throws {
        let day = try period([("day", "2026-11-29")])
        #expect((day.kind, day.from.description, day.to.description, day.label) == (.day, "2026-11-29", "2026-11-29", "2026-11-29"))
        let week = try period([("week", "2026-W01")])
        #expect((week.from.description, week.to.description, week.label) == ("2025-12-29", "2026-01-04", "2026-W01"))
        let month = try period([("month", "2028-02")])
        #expect((month.from.description, month.to.description, month.days) == ("2028-02-01", "2028-02-29", 29))
        let range = try period([("from", "2025-11-29"), ("to", "2026-11-29")])
        #expect((range.days, range.label) == (366, "2025-11-29..2026-11-29"))
    }

    @Test(arguments: [
        ([], "no period"),
        ([("day", "2026-11-29"), ("month", "2026-11")], "more than one period"),
        ([("day", "2026-02-30")], "day=2026-02-30 is not valid"),
        ([("week", "2027-W53")], "week=2027-W53 is not valid"),
        ([("month", "2026-13")], "month=2026-13 is not valid"),
        ([("from", "2026-11-01")], "from and to go together"),
        ([("from", "2026-11-02"), ("to", "2026-11-01")], "is after to"),
        ([("from", "2025-11-28"), ("to", "2026-11-29")], "spans 367 days; at most 366"),
        ([("day", "2026-11-29"), ("day", "2026-11-30")], "day is given 2 times"),
    ] as [([(String, String)], String)])
    func badPeriodsAreRefusedSaying(pairs: [(String, String)], expected: String) throws {
        let message = try refusal(pairs) { query in _ = try FleetPeriod.read(&query) }
        #expect(message.contains(expected), "\(message)")
    }

    @Test func scopes() throws {
        func scope(_ pairs: [(String, String)]) throws -> FleetScope {
            var query = try reader(pairs)
            return try FleetScope.read(&query)
        }
        #expect(try scope([]) == .fleet)
        #expect(try scope([("region", "north")]) == .region("north"))
        #expect(try scope([("site", "b"), ("site", "a"), ("site", "b")]) == .sites(["b", "a"]))
        let both = try refusal([("site", "a"), ("region", "north")]) { query in _ = try FleetScope.read(&query) }
        #expect(both.contains("not both"))
        let control = try refusal([("site", "a\u{7}")]) { query in _ = try FleetScope.read(&query) }
        #expect(control.contains("without control characters"))
        let many = try refusal((0...FleetScope.maxSites).map { ("site", "s\($0)") }) { query in _ = try FleetScope.read(&query) }
        #expect(many.contains("at most 100 site="))
    }

    @Test func aMisspeltParameterIsRefusedNotIgnored() throws {
        let message = try refusal([("regoin", "north"), ("day", "2026-11-29")]) { query in
            _ = try FleetScope.read(&query)
            _ = try FleetPeriod.read(&query)
        }
        #expect(message.contains("unknown query parameter regoin"))
        #expect(message.contains("it takes day, from, month, region, site, to, week"))
    }

    @Test func pagesAndCursorsRoundTrip() throws {
        let keys = ["", "t-1", "site/with+odd=chars é", String(repeating: "x", count: 100)]
        for key in keys {
            var query = try reader([("cursor", PageRequest.cursor(after: key)), ("limit", "1000")])
            let page = try PageRequest.read(&query)
            #expect(page == PageRequest(limit: 1000, after: key))
        }
        var none = try reader([])
        #expect(try PageRequest.read(&none) == PageRequest(limit: 100, after: nil))
        for limit in ["0", "1001", "-1", "1e3", "", "99999999999999999999"] {
            let message = try refusal([("limit", limit)]) { query in _ = try PageRequest.read(&query) }
            #expect(message.contains("expected 1 to 1000"), "\(limit): \(message)")
        }
        for cursor in ["not base64!", "MjpvdGhlcg", "=="] {
            let message = try refusal([("cursor", cursor)]) { query in _ = try PageRequest.read(&query) }
            #expect(message.contains("cursor is not one this collector gave"), "\(cursor): \(message)")
        }
    }

    @Test func formatByParameterOrAccept() throws {
        func format(_ pairs: [(String, String)], accept: String?) throws -> ResponseFormat {
            var query = try reader(pairs)
            return try ResponseFormat.read(&query, accept: accept)
        }
        #expect(try format([], accept: nil) == .json)
        #expect(try format([], accept: "text/csv") == .csv)
        #expect(try format([], accept: "application/json, text/csv;q=0.5") == .json)
        #expect(try format([("format", "csv")], accept: "application/json") == .csv)
        let message = try refusal([("format", "xml")]) { query in _ = try ResponseFormat.read(&query, accept: nil) }
        #expect(message.contains("format=xml is not known; use json or csv"))
    }

    @Test func boundsOnTheQueryItself() throws {
        #expect(throws: CollectorHTTPError.self) {
            try QueryReader(endpoint: "/x", pairs: (0...QueryReader.maxParameters).map { ("p\($0)", "v") })
        }
        #expect(throws: CollectorHTTPError.self) {
            try QueryReader(endpoint: "/x", pairs: [("site", String(repeating: "a", count: QueryReader.maxValueLength + 1))])
        }
    }
}

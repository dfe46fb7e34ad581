import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SmileyCore

/// The fleet's read API (api/openapi.yaml, "fleet"): summaries, time patterns and rankings from
/// the rollups, and the terminals with their health — scoped to what the credential may read,
/// JSON or CSV, listings paged by an opaque cursor.
extension CollectorAPI {
    static let link = HTTPField.Name("Link")!

    func getFleetSummary(_ request: Request) async throws(CollectorHTTPError) -> Response {
        let principal = try await authenticate(request)
        var query = try reader("/v1/fleet/summary", request)
        let figures = try FiguresQuery.read(&query)
        let format = try ResponseFormat.read(&query, accept: request.headers[.accept])
        try query.finish()
        let sites = try await fleetSites(figures.scope, principal, .getSummary)
        let summary = try await reading("the summary") {
            try await storage.rangeSummary(try figures.filter(sites), includeMisuse: figures.includeMisuse, minSamples: figures.minSamples)
        }
        let answer = FleetSummaryAnswer(scope: sites.description, period: FleetPeriodDescription(figures.period),
                                        includeMisuse: figures.includeMisuse, minSamples: figures.minSamples, surveys: summary.surveys)
        return try render(answer, format, csv: answer.csv)
    }

    func getFleetBuckets(_ request: Request) async throws(CollectorHTTPError) -> Response {
        let principal = try await authenticate(request)
        var query = try reader("/v1/fleet/buckets", request)
        let figures = try FiguresQuery.read(&query)
        let by = try query.single("by") ?? "hour"
        guard by == "hour" || by == "weekday-hour" else {
            throw CollectorHTTPError(.badRequest, "/v1/fleet/buckets: by=\(by) is not known; use hour or weekday-hour")
        }
        let format = try ResponseFormat.read(&query, accept: request.headers[.accept])
        try query.finish()
        let sites = try await fleetSites(figures.scope, principal, .getSummary)
        let buckets = try await reading("the time pattern") {
            try await storage.buckets(try figures.filter(sites), weekdays: by == "weekday-hour",
                                      includeMisuse: figures.includeMisuse, minSamples: figures.minSamples)
        }
        let answer = FleetBucketsAnswer(scope: sites.description, period: FleetPeriodDescription(figures.period), by: by,
                                        includeMisuse: figures.includeMisuse, minSamples: figures.minSamples, buckets: buckets)
        return try render(answer, format, csv: answer.csv)
    }

    func getFleetRanking(_ request: Request) async throws(CollectorHTTPError) -> Response {
        let principal = try await authenticate(request)
        var query = try reader("/v1/fleet/ranking", request)
        let figures = try FiguresQuery.read(&query)
        let page = try PageRequest.read(&query)
        let format = try ResponseFormat.read(&query, accept: request.headers[.accept])
        try query.finish()
        let sites = try await fleetSites(figures.scope, principal, .getSummary)
        let (ranking, organisation) = try await reading("the ranking") {
            (try await storage.siteRanking(try figures.filter(sites), includeMisuse: figures.includeMisuse, minSamples: figures.minSamples),
             try await storage.sites())
        }
        let regions = Dictionary(organisation.map { ($0.id, $0.region) }, uniquingKeysWith: { first, _ in first })
        // The ranking's order is fixed by index and site, so a page continues after a position.
        let start = try Self.position(page, endpoint: "/v1/fleet/ranking")
        let slice = ranking.dropFirst(start).prefix(page.limit)
        let entries = slice.map {
            FleetRankingAnswer.Entry(site: $0.site, region: regions[$0.site], samples: $0.samples,
                                     satisfactionIndex: $0.satisfactionIndex, rank: $0.rank)
        }
        let end = start + entries.count
        let answer = FleetRankingAnswer(scope: sites.description, period: FleetPeriodDescription(figures.period),
                                        includeMisuse: figures.includeMisuse, minSamples: figures.minSamples, sites: entries,
                                        next: end < ranking.count ? PageRequest.cursor(after: String(end)) : nil)
        return try render(answer, format, csv: answer.csv, next: answer.next, request: request)
    }

    func getFleetTerminals(_ request: Request) async throws(CollectorHTTPError) -> Response {
        let principal = try await authenticate(request)
        var query = try reader("/v1/fleet/terminals", request)
        let scope = try FleetScope.read(&query)
        var state: TerminalHealth.State?
        if let given = try query.single("state") {
            guard let parsed = TerminalHealth.State(rawValue: given) else {
                throw CollectorHTTPError(.badRequest, "/v1/fleet/terminals: state=\(given) is not known; use online, late, offline or silent")
            }
            state = parsed
        }
        let incidentsOnly = try FiguresQuery.flag(&query, "incident")
        let page = try PageRequest.read(&query)
        let format = try ResponseFormat.read(&query, accept: request.headers[.accept])
        try query.finish()
        let sites = try await fleetSites(scope, principal, .getTerminals)
        let (terminals, bound, organisation) = try await reading("the terminals") {
            (try await storage.terminals(), try await storage.terminalSites(), try await storage.sites())
        }
        let siteByID = Dictionary(organisation.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = sites.sites.map(Set.init)
        let now = nowMs()
        var zones: [String: Zone?] = [:]
        var entries: [FleetTerminalsAnswer.Entry] = []
        // Terminals in bytewise order of id; the cursor is the last id of the previous page.
        for info in terminals.sorted(by: { $0.terminal.utf8.lexicographicallyPrecedes($1.terminal.utf8) }) {
            if let after = page.after, !after.utf8.lexicographicallyPrecedes(info.terminal.utf8) { continue }
            // The site the terminal is bound to, never what its heartbeat claims (unchecked until bound).
            let site = bound[info.terminal]
            if let wanted {
                guard let site, wanted.contains(site) else { continue }
            }
            let record = site.flatMap { siteByID[$0] }
            let open = record?.isOpen(atMs: now, zones: &zones)
            let health = TerminalHealth.assess(nowMs: now, lastHeartbeatMs: info.lastHeartbeatAt.flatMap { RFC3339.ms(parsing: $0) },
                                               intervalSeconds: terminalHeartbeatSeconds, heartbeat: info.heartbeat, siteOpen: open)
            if let state, health.state != state { continue }
            if incidentsOnly, !health.incident { continue }
            entries.append(FleetTerminalsAnswer.Entry(terminal: info.terminal, site: site, region: record?.region, samples: info.samples,
                                                      lastBatchAt: info.lastBatchAt, lastHeartbeatAt: info.lastHeartbeatAt,
                                                      siteOpen: open, health: health, heartbeat: info.heartbeat))
            if entries.count > page.limit { break }
        }
        var next: String?
        if entries.count > page.limit {
            entries.removeLast()
            next = entries.last.map { PageRequest.cursor(after: $0.terminal) }
        }
        let answer = FleetTerminalsAnswer(scope: sites.description, heartbeatSeconds: terminalHeartbeatSeconds,
                                          terminals: entries, next: next)
        return try render(answer, format, csv: answer.csv, next: next, request: request)
    }

    // MARK: Pieces

    func reader(_ endpoint: String, _ request: Request) throws(CollectorHTTPError) -> QueryReader {
        try QueryReader(endpoint: endpoint, pairs: request.uri.queryParameters.map { (String($0.key), String($0.value)) })
    }

    /// The scope's sites for this principal, the organisation read from the storage.
    func fleetSites(_ scope: FleetScope, _ principal: Principal, _ action: Access.Action) async throws(CollectorHTTPError) -> FleetSites {
        try require(Access.may(principal, action))
        let organisation = try await reading("the sites") { try await storage.sites() }
        return try FleetSites.resolve(scope, for: principal, action: action, organisation: organisation)
    }

    /// Runs a storage read; 503 naming `what` when the storage fails.
    func reading<T>(_ what: String, _ body: () async throws -> T) async throws(CollectorHTTPError) -> T {
        do {
            return try await body()
        } catch let error as CollectorHTTPError {
            throw error
        } catch {
            logger.error("reading \(what) failed", metadata: ["error": "\(error)"])
            throw .unavailable("\(what) cannot be read now; retry later", retryAfterSeconds: 5)
        }
    }

    /// The position a ranking page starts at: the cursor holds it.
    static func position(_ page: PageRequest, endpoint: String) throws(CollectorHTTPError) -> Int {
        guard let after = page.after else { return 0 }
        guard let position = Int(after), position >= 0 else {
            throw CollectorHTTPError(.badRequest, "\(endpoint): cursor is not one this endpoint gave; start again without cursor=")
        }
        return position
    }

    /// JSON or CSV; a page with more after it says so in `Link: <…>; rel="next"` too.
    func render(_ value: some Encodable, _ format: ResponseFormat, csv: @autoclosure () -> String, next: String? = nil,
                request: Request? = nil) throws(CollectorHTTPError) -> Response {
        var response: Response
        switch format {
        case .json:
            do {
                response = try encode(value)
            } catch {
                throw CollectorHTTPError(.internalServerError, "the answer could not be written")
            }
        case .csv:
            response = Response(status: .ok, headers: [.contentType: format.contentType],
                                body: .init(byteBuffer: ByteBuffer(string: csv())))
        }
        if let next, let request {
            response.headers[Self.link] = "<\(Self.pageURL(request, cursor: next))>; rel=\"next\""
        }
        return response
    }

    /// The request's path and query with `cursor` replaced.
    static func pageURL(_ request: Request, cursor: String) -> String {
        var pairs = request.uri.queryParameters.filter { $0.key != "cursor" }.map { "\($0.key)=\(percentEncoded(String($0.value)))" }
        pairs.append("cursor=\(cursor)")
        return request.uri.path + "?" + pairs.joined(separator: "&")
    }

    static func percentEncoded(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

import CompressNIO
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SmileyCore
import SmileyPlatform
import SmileyWire

/// The HTTP API of smiley-collector (api/openapi.yaml):
/// - `POST /v1/batches` — a terminal's batch, idempotent by `Idempotency-Key`, deduplicated by sample id;
/// - `POST /v1/heartbeat` — how a terminal is doing;
/// - `GET /v1/summary?site=…&day=YYYY-MM-DD[&includeMisuse=true]` — one site's day across terminals;
/// - `GET /v1/terminals` — what each terminal sent last;
/// - `GET /v1/fleet/summary`, `/v1/fleet/buckets`, `/v1/fleet/ranking`, `/v1/fleet/terminals` — the
///   fleet's read API (``CollectorAPI`` +fleet): sites, regions or the fleet over a period, from rollups;
/// every request but /health with a bearer token, and only what its credential allows (``Access``);
/// - `GET /health` — liveness and totals, without a token.
public struct CollectorAPI: Sendable {
    public let storage: any CollectorStorage
    public let tokens: TokenTable
    public let maxBodyBytes: Int
    public let limits: CollectorLimits
    /// The bodies being read now, at most `limits.maxConcurrentBodies`.
    public let bodies: BodyPermits
    public let logger: Logger
    /// Wall time now (ms); tests may pin it.
    public let nowMs: @Sendable () -> Int64
    /// How often terminals are set to send heartbeats (`terminal-heartbeat-seconds`): the fleet's
    /// terminal states count missed heartbeats by it.
    public let terminalHeartbeatSeconds: Int

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    public init(storage: any CollectorStorage, tokens: TokenTable, maxBodyBytes: Int = 32 * 1024 * 1024,
                limits: CollectorLimits = CollectorLimits(), logger: Logger,
                terminalHeartbeatSeconds: Int = 900, nowMs: @escaping @Sendable () -> Int64 = { WallClock.nowMs() }) {
        self.storage = storage
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.limits = limits
        self.bodies = BodyPermits(limit: limits.maxConcurrentBodies)
        self.logger = logger
        self.nowMs = nowMs
        self.terminalHeartbeatSeconds = terminalHeartbeatSeconds
    }

    /// The router; `middlewares` run before the routes (tests put fault injection there). Handlers throw
    /// ``CollectorHTTPError``; ``CollectorErrorMiddleware``, outermost, turns every other error into one.
    public func router(middlewares: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = []) -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(CollectorErrorMiddleware())
        router.middlewares.add(MethodNotAllowed())
        for middleware in middlewares { router.middlewares.add(middleware) }
        router.post("/v1/batches") { request, _ in try await self.postBatch(request) }
        router.post("/v1/heartbeat") { request, _ in try await self.postHeartbeat(request) }
        router.get("/v1/summary") { request, _ in try await self.getSummary(request) }
        router.get("/v1/terminals") { request, _ in try await self.getTerminals(request) }
        router.get("/v1/fleet/summary") { request, _ in try await self.getFleetSummary(request) }
        router.get("/v1/fleet/buckets") { request, _ in try await self.getFleetBuckets(request) }
        router.get("/v1/fleet/ranking") { request, _ in try await self.getFleetRanking(request) }
        router.get("/v1/fleet/terminals") { request, _ in try await self.getFleetTerminals(request) }
        router.get("/health") { _, _ in await self.getHealth() }
        return router
    }

    // MARK: Handlers

    func postBatch(_ request: Request) async throws(CollectorHTTPError) -> Response {
        let principal = try await authenticate(request)
        try require(Access.may(principal, .postBatch))
        guard let key = request.headers[Self.idempotencyKey], !key.isEmpty else {
            throw CollectorHTTPError(.badRequest, "Idempotency-Key header required: the batch's UUID")
        }
        guard key.count <= 255, key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw CollectorHTTPError(.badRequest, "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID)")
        }
        let (batch, data) = try await withBodyPermit { () async throws(CollectorHTTPError) -> (WireBatch, Data) in
            let data = Data(try await readBody(request, limit: maxBodyBytes).readableBytesView)
            do throws(WireDecodingError) {
                return (try WireDecoder.batch(from: data), data)
            } catch {
                throw CollectorHTTPError(.badRequest, error.message)
            }
        }
        let terminal = try await authorizeWrite(principal, .postBatch, terminal: batch.terminal, site: batch.site)
        guard WireDecoder.uuid(key) == batch.id else {
            throw CollectorHTTPError(.badRequest, "Idempotency-Key must be the batch's UUID (\(batch.key))")
        }
        let fingerprint = Data(SHA256.hash(data: data))
        let outcome: SubmitOutcome
        do {
            outcome = try await storage.submit(batch, terminal: terminal, key: batch.key, fingerprint: fingerprint,
                                               receivedAtMs: nowMs())
        } catch {
            logger.error("storing a batch failed", metadata: ["terminal": "\(terminal)", "error": "\(error)"])
            throw .unavailable("the collector cannot store the batch now; retry later", retryAfterSeconds: 5)
        }
        switch outcome {
        case .stored(let result):
            logger.debug("batch stored", metadata: ["terminal": "\(terminal)", "batch": "\(batch.key)", "samples": "\(batch.samples.count)"])
            return json(HTTPResponse.Status(code: result.status), result.body)
        case .replayed(let result):
            logger.debug("batch replayed", metadata: ["terminal": "\(terminal)", "batch": "\(batch.key)"])
            var response = json(HTTPResponse.Status(code: result.status), result.body)
            response.headers[Self.replayed] = "true"
            return response
        case .payloadMismatch:
            throw CollectorHTTPError(.unprocessableContent, "Idempotency-Key \(batch.key) was used before with a different payload")
        case .inProgress:
            throw CollectorHTTPError(.conflict, "batch \(batch.key) is being processed by another request; retry later",
                                     headers: [.retryAfter: "1"])
        }
    }

    func postHeartbeat(_ request: Request) async throws(CollectorHTTPError) -> Response {
        let principal = try await authenticate(request)
        try require(Access.may(principal, .postHeartbeat))
        let heartbeat = try await withBodyPermit { () async throws(CollectorHTTPError) -> Heartbeat in
            let heartbeatCap = limits.maxHeartbeatBytes < maxBodyBytes
            let body = try await readBody(request, limit: heartbeatCap ? limits.maxHeartbeatBytes : maxBodyBytes,
                                          what: heartbeatCap ? "heartbeat" : "body")
            do throws(WireDecodingError) {
                return try WireDecoder.heartbeat(from: Data(body.readableBytesView))
            } catch {
                throw CollectorHTTPError(.badRequest, error.message)
            }
        }
        if let problem = heartbeat.limitProblem {
            throw CollectorHTTPError(.badRequest, "the body is not a heartbeat: \(problem)")
        }
        let terminal = try await authorizeWrite(principal, .postHeartbeat, terminal: heartbeat.terminal, site: heartbeat.site)
        do {
            try await storage.recordHeartbeat(heartbeat, terminal: terminal, receivedAtMs: nowMs())
        } catch {
            logger.error("storing a heartbeat failed", metadata: ["terminal": "\(terminal)", "error": "\(error)"])
            throw .unavailable("the collector cannot store the heartbeat now; retry later", retryAfterSeconds: 5)
        }
        return Response(status: .noContent)
    }

    func getSummary(_ request: Request) async throws(CollectorHTTPError) -> Response {
        let principal = try await authenticate(request)
        try require(Access.may(principal, .getSummary))
        let query = request.uri.queryParameters
        guard let site = query.get("site"), !site.isEmpty else {
            throw CollectorHTTPError(.badRequest, "site is required: /v1/summary?site=…&day=YYYY-MM-DD")
        }
        guard let day = query.get("day"), LocalDay(iso: day) != nil else {
            throw CollectorHTTPError(.badRequest, "day is required as YYYY-MM-DD (the terminals' local day)")
        }
        var includeMisuse = false
        if let value = query.get("includeMisuse") {
            guard value == "true" || value == "false" else {
                throw CollectorHTTPError(.badRequest, "includeMisuse must be true or false")
            }
            includeMisuse = value == "true"
        }
        try await authorizeRead(principal, .getSummary, site: site)
        do {
            let summary = try await storage.summary(site: site, day: day, includeMisuse: includeMisuse)
            return try encode(summary)
        } catch {
            throw .unavailable("the summary cannot be read now")
        }
    }

    func getTerminals(_ request: Request) async throws(CollectorHTTPError) -> Response {
        let principal = try await authenticate(request)
        try require(Access.may(principal, .getTerminals))
        do {
            return try encode(try await visible(try await storage.terminals(), to: principal))
        } catch {
            throw .unavailable("the terminals cannot be read now")
        }
    }

    func getHealth() async -> Response {
        do {
            let health = try await storage.health()
            let body = #"{"status":"ok","samples":\#(health.samples),"batches":\#(health.batches),"terminals":\#(health.terminals)}"#
            return json(.ok, Data(body.utf8))
        } catch {
            // Not an error body: the documented health answer, whose status says the storage is down.
            return json(.serviceUnavailable, Data(#"{"status":"storage unavailable"}"#.utf8))
        }
    }

    // MARK: Pieces

    /// Runs `read` (reading, decompressing and decoding a body) holding one of ``bodies``' permits;
    /// 503 with `Retry-After` when all are taken.
    func withBodyPermit<T>(_ read: () async throws(CollectorHTTPError) -> T) async throws(CollectorHTTPError) -> T {
        guard bodies.tryAcquire() else {
            throw .unavailable("the collector is reading \(bodies.limit) bodies already; retry later", retryAfterSeconds: 1)
        }
        defer { bodies.release() }
        return try await read()
    }

    /// The body, gunzipped when sent with `Content-Encoding: gzip`, at most `limit` bytes either way
    /// (a body of exactly `limit` bytes once decompressed passes, one byte more does not).
    func readBody(_ request: Request, limit: Int, what: String = "body") async throws(CollectorHTTPError) -> ByteBuffer {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw CollectorHTTPError(.unsupportedMediaType, "Content-Type must be application/json")
        }
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            throw CollectorHTTPError(.contentTooLarge, "the \(what) is larger than \(limit) bytes")
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity":
            return body
        case "gzip":
            let tooLarge = CollectorHTTPError(.contentTooLarge, "the \(what) is larger than \(limit) bytes once decompressed")
            let plain: ByteBuffer
            do {
                // One byte more than allowed, so that a body of exactly the limit is seen to end.
                plain = try body.decompress(with: .gzip(), maxSize: limit + 1)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw tooLarge
            } catch {
                throw CollectorHTTPError(.badRequest, "the body is not valid gzip")
            }
            // CompressNIO's maxSize bounds what it allocates, which ByteBuffer may round up: the exact check.
            guard plain.readableBytes <= limit else { throw tooLarge }
            return plain
        case let other?:
            throw CollectorHTTPError(.unsupportedMediaType, "Content-Encoding \(other) is not supported; use gzip or none")
        }
    }

    func json(_ status: HTTPResponse.Status, _ body: Data) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func encode(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return json(.ok, try encoder.encode(value))
    }
}

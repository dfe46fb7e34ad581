import CompressNIO
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import NIOCore
import ServiceLifecycle
import UnixSignals
import SmileyCore
import SmileyPlatform
import SmileyWire

/// The HTTP API of smiley-collector (api/openapi.yaml):
/// - `POST /v1/batches` — a terminal's batch, idempotent by `Idempotency-Key`, deduplicated by sample id;
/// - `POST /v1/heartbeat` — how a terminal is doing;
/// - `GET /v1/summary?site=…&day=YYYY-MM-DD[&includeMisuse=true]` — one site's day across terminals;
/// - `GET /v1/terminals` — what each terminal sent last;
/// - `GET /health` — liveness and totals, without a token.
public struct CollectorAPI: Sendable {
    public let storage: any CollectorStorage
    public let tokens: TokenTable
    public let maxBodyBytes: Int
    public let logger: Logger
    /// Wall time now (ms); tests may pin it.
    public let nowMs: @Sendable () -> Int64

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    public init(storage: any CollectorStorage, tokens: TokenTable, maxBodyBytes: Int = 32 * 1024 * 1024, logger: Logger,
                nowMs: @escaping @Sendable () -> Int64 = { WallClock.nowMs() }) {
        self.storage = storage
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
        self.nowMs = nowMs
    }

    /// The router; `middlewares` run before the routes (tests put fault injection there).
    public func router(middlewares: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = []) -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(MethodNotAllowed())
        for middleware in middlewares { router.middlewares.add(middleware) }
        router.post("/v1/batches") { request, _ in await self.postBatch(request) }
        router.post("/v1/heartbeat") { request, _ in await self.postHeartbeat(request) }
        router.get("/v1/summary") { request, _ in await self.getSummary(request) }
        router.get("/v1/terminals") { request, _ in await self.getTerminals(request) }
        router.get("/health") { _, _ in await self.getHealth() }
        return router
    }

    // MARK: Handlers

    func postBatch(_ request: Request) async -> Response {
        guard let terminal = authenticate(request) else { return unauthorized() }
        guard let key = request.headers[Self.idempotencyKey], !key.isEmpty else {
            return error(.badRequest, "Idempotency-Key header required: the batch's UUID")
        }
        guard key.count <= 255, key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            return error(.badRequest, "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID)")
        }
        let body: ByteBuffer
        switch await readBody(request) {
        case .success(let buffer): body = buffer
        case .failure(let failure): return failure.response
        }
        let data = Data(body.readableBytesView)
        let batch: WireBatch
        do {
            batch = try WireDecoder.batch(from: data)
        } catch {
            return self.error(.badRequest, error.message)
        }
        guard batch.terminal == terminal else {
            return self.error(.forbidden, "this token belongs to terminal \(terminal), the batch says \(batch.terminal)")
        }
        guard WireDecoder.uuid(key) == batch.id else {
            return self.error(.badRequest, "Idempotency-Key must be the batch's UUID (\(batch.key))")
        }
        let fingerprint = Data(SHA256.hash(data: data))
        let outcome: SubmitOutcome
        do {
            outcome = try await storage.submit(batch, terminal: terminal, key: batch.key, fingerprint: fingerprint,
                                               receivedAtMs: nowMs())
        } catch {
            logger.error("storing a batch failed", metadata: ["terminal": "\(terminal)", "error": "\(error)"])
            var response = self.error(.serviceUnavailable, "the collector cannot store the batch now; retry later")
            response.headers[.retryAfter] = "5"
            return response
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
            return self.error(.unprocessableContent, "Idempotency-Key \(batch.key) was used before with a different payload")
        case .inProgress:
            var response = self.error(.conflict, "batch \(batch.key) is being processed by another request; retry later")
            response.headers[.retryAfter] = "1"
            return response
        }
    }

    func postHeartbeat(_ request: Request) async -> Response {
        guard let terminal = authenticate(request) else { return unauthorized() }
        let body: ByteBuffer
        switch await readBody(request) {
        case .success(let buffer): body = buffer
        case .failure(let failure): return failure.response
        }
        let heartbeat: Heartbeat
        do {
            heartbeat = try WireDecoder.heartbeat(from: Data(body.readableBytesView))
        } catch {
            return self.error(.badRequest, error.message)
        }
        guard heartbeat.terminal == terminal else {
            return self.error(.forbidden, "this token belongs to terminal \(terminal), the heartbeat says \(heartbeat.terminal)")
        }
        do {
            try await storage.recordHeartbeat(heartbeat, terminal: terminal, receivedAtMs: nowMs())
        } catch {
            return self.error(.serviceUnavailable, "the collector cannot store the heartbeat now")
        }
        return Response(status: .noContent)
    }

    func getSummary(_ request: Request) async -> Response {
        guard authenticate(request) != nil else { return unauthorized() }
        let query = request.uri.queryParameters
        guard let site = query.get("site"), !site.isEmpty else {
            return error(.badRequest, "site is required: /v1/summary?site=…&day=YYYY-MM-DD")
        }
        guard let day = query.get("day"), LocalDay(iso: day) != nil else {
            return error(.badRequest, "day is required as YYYY-MM-DD (the terminals' local day)")
        }
        var includeMisuse = false
        if let value = query.get("includeMisuse") {
            guard value == "true" || value == "false" else {
                return error(.badRequest, "includeMisuse must be true or false")
            }
            includeMisuse = value == "true"
        }
        do {
            let summary = try await storage.summary(site: site, day: day, includeMisuse: includeMisuse)
            return try encode(summary)
        } catch {
            return self.error(.serviceUnavailable, "the summary cannot be read now")
        }
    }

    func getTerminals(_ request: Request) async -> Response {
        guard authenticate(request) != nil else { return unauthorized() }
        do {
            return try encode(try await storage.terminals())
        } catch {
            return self.error(.serviceUnavailable, "the terminals cannot be read now")
        }
    }

    func getHealth() async -> Response {
        do {
            let health = try await storage.health()
            let body = #"{"status":"ok","samples":\#(health.samples),"batches":\#(health.batches),"terminals":\#(health.terminals)}"#
            return json(.ok, Data(body.utf8))
        } catch {
            return json(.serviceUnavailable, Data(#"{"status":"storage unavailable"}"#.utf8))
        }
    }

    // MARK: Pieces

    /// The terminal of the request's bearer token.
    func authenticate(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return tokens.terminal(forToken: String(parts[1]).trimmingCharacters(in: .whitespaces))
    }

    struct BodyFailure: Error {
        var response: Response
    }

    /// The body, gunzipped when sent with `Content-Encoding: gzip`, at most `maxBodyBytes`.
    func readBody(_ request: Request) async -> Result<ByteBuffer, BodyFailure> {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            return .failure(BodyFailure(response: error(.unsupportedMediaType, "Content-Type must be application/json")))
        }
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            return .failure(BodyFailure(response: self.error(.contentTooLarge, "the body is larger than \(maxBodyBytes) bytes")))
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity":
            return .success(body)
        case "gzip":
            func tooLarge() -> BodyFailure {
                BodyFailure(response: error(.contentTooLarge, "the body is larger than \(maxBodyBytes) bytes once decompressed"))
            }
            do {
                // CompressNIO's maxSize bounds what it allocates, which ByteBuffer rounds up: checked again here.
                let plain = try body.decompress(with: .gzip(), maxSize: maxBodyBytes)
                return plain.readableBytes <= maxBodyBytes ? .success(plain) : .failure(tooLarge())
            } catch let error as CompressNIOError where error == .bufferOverflow {
                return .failure(tooLarge())
            } catch {
                return .failure(BodyFailure(response: self.error(.badRequest, "the body is not valid gzip")))
            }
        case let other?:
            return .failure(BodyFailure(response: error(.unsupportedMediaType, "Content-Encoding \(other) is not supported; use gzip or none")))
        }
    }

    func unauthorized() -> Response {
        var response = error(.unauthorized, "a valid bearer token is required")
        response.headers[.wwwAuthenticate] = #"Bearer realm="smiley-collector""#
        return response
    }

    /// The documented error body (`{"error": …}`) with `status`.
    func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, Data(WireEncoder.encode(WireErrorBody(error: message))))
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

/// A collector running in this process (the executable, tests, the benchmark).
public final class RunningCollector: Sendable {
    /// The port it listens on (the real one when 0 was asked for).
    public let port: Int
    public let host: String
    /// `http` or `https`.
    public let scheme: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(port: Int, host: String, scheme: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.host = host
        self.scheme = scheme
        self.group = group
        self.task = task
    }

    public var baseURL: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Starts listening on `host`:`port` (0 = a free port) and returns once the server accepts.
    /// - Parameter tls: serve https with this certificate and key (PEM files); nil for http.
    public static func start(api: CollectorAPI, host: String = "127.0.0.1", port: Int = 0,
                             tls: (certificate: String, key: String)? = nil,
                             middlewares: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = [],
                             shutdownSignals: [UnixSignal] = []) async throws -> RunningCollector {
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Int.self)
        var server = HTTPServerBuilder.http1()
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            server = try .tls(.http1(), tlsConfiguration: configuration)
        }
        let scheme = tls == nil ? "http" : "https"
        let app = Application(
            router: api.router(middlewares: middlewares),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "smiley-collector"),
            onServerRunning: { channel in
                readyContinuation.yield(channel.localAddress?.port ?? port)
                readyContinuation.finish()
            },
            logger: api.logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: shutdownSignals,
                                                      logger: api.logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                readyContinuation.finish()
                throw error
            }
            readyContinuation.finish()
        }
        var iterator = ready.makeAsyncIterator()
        guard let boundPort = await iterator.next() else {
            try await task.value
            // The group ended without an error and without listening.
            throw CollectorConfigError("the collector stopped before it listened on \(host):\(port)")
        }
        return RunningCollector(port: boundPort, host: host, scheme: scheme, group: group, task: task)
    }

    /// Stops accepting, finishes the requests in progress, and returns.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Runs until the service group ends (a signal, or ``stop()``), rethrowing its error.
    public func wait() async throws {
        try await task.value
    }
}

/// 405 with `Allow` for a known path asked with another method (the router alone says 404).
struct MethodNotAllowed: RouterMiddleware {
    typealias Context = BasicRequestContext

    static let allowed: [String: HTTPRequest.Method] = [
        "/v1/batches": .post, "/v1/heartbeat": .post, "/v1/summary": .get, "/v1/terminals": .get, "/health": .get,
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let method = Self.allowed[request.uri.path], request.method != method, !(method == .get && request.method == .head) {
            var headers = HTTPFields()
            headers[.allow] = method == .get ? "GET, HEAD" : method.rawValue
            headers[.contentType] = "application/json"
            return Response(status: .methodNotAllowed, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(bytes: WireEncoder.encode(
                                WireErrorBody(error: "use \(method.rawValue) for \(request.uri.path)")))))
        }
        return try await next(request, context)
    }
}

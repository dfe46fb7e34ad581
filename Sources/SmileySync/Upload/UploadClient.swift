import AsyncHTTPClient
import CompressNIO
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SmileyConfig
import SmileyStore

/// The HTTP side of the uploader (AsyncHTTPClient): one batch per request, the answer classified
/// by the contract. TLS certificates are always verified; `ca-file` adds trust roots; redirects are
/// never followed (the token would go with them).
public final class UploadClient: Sendable {
    public let endpoint: UploadEndpoint
    let http: HTTPClient
    let redactor: Redactor
    let logger: Logger
    let userAgent: String

    public init(endpoint: UploadEndpoint, userAgent: String = "smiley", logger: Logger) throws(UploadClientError) {
        self.endpoint = endpoint
        self.userAgent = userAgent
        self.redactor = Redactor(endpoint.token)
        // AsyncHTTPClient logs requests and answers, headers included, below info: an echoed token
        // would reach the journal with --log-level trace. Its lines at info and above stay.
        var httpLogger = logger
        httpLogger.logLevel = max(logger.logLevel, .info)
        self.logger = httpLogger
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile = endpoint.caFile {
            // A FIFO or a device would block start-up on open; a huge file would be read whole.
            var info = stat()
            guard stat(caFile, &info) == 0 else {
                throw UploadClientError(description: "upstream.ca-file \(caFile) cannot be read: \(String(cString: strerror(errno)))")
            }
            guard (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= 1 << 20 else {
                throw UploadClientError(description: "upstream.ca-file \(caFile) is \((info.st_mode & S_IFMT) == S_IFREG ? "\(info.st_size) bytes" : FileKind.name(info.st_mode)); "
                    + "expected a regular file of PEM certificates (at most 1 MiB)")
            }
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else {
                    throw UploadClientError(description: "upstream.ca-file \(caFile) holds no PEM certificate")
                }
                tls.additionalTrustRoots = [.certificates(certificates)]
            } catch let error as UploadClientError {
                throw error
            } catch {
                throw UploadClientError(description: "upstream.ca-file \(caFile) cannot be loaded as PEM certificates: \(error)")
            }
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(endpoint.connectTimeout.nanoseconds),
                           read: .nanoseconds(endpoint.requestTimeout.nanoseconds)),
            decompression: .disabled)
        configuration.httpVersion = .http1Only
        // Keep one idle connection a short while: batches follow each other closely when draining.
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 2)
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
                          backgroundActivityLogger: logger)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    public var batchesURL: String { endpoint.baseURL + "/v1/batches" }
    public var heartbeatURL: String { endpoint.baseURL + "/v1/heartbeat" }

    /// Sends one batch and classifies the answer; every message in the outcome is scrubbed.
    public func send(_ batch: SyncBatch, nowMs: @Sendable () -> Int64) async -> SendOutcome {
        switch await classify(batch, nowMs: nowMs) {
        case .delivered(let status, let receipt):
            return .delivered(status: status, receipt: receipt)
        case .retry(var reason):
            reason.message = redactor.scrub(reason.message)
            return .retry(reason)
        case .refused(let status, let reason):
            return .refused(status: status, reason: redactor.scrub(reason))
        }
    }

    func classify(_ batch: SyncBatch, nowMs: @Sendable () -> Int64) async -> SendOutcome {
        var request = HTTPClientRequest(url: batchesURL)
        request.method = .POST
        request.headers.add(name: "Authorization", value: endpoint.token.headerValue)
        request.headers.add(name: "Idempotency-Key", value: batch.id.uuidString.lowercased())
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: userAgent)
        var body = batch.wireBody
        if endpoint.gzip {
            do {
                body = try body.compress(with: .gzip(configuration: .init(compressionLevel: 1)))
                request.headers.add(name: "Content-Encoding", value: "gzip")
            } catch {
                // Compression is an optimization; send the plain body.
                body = batch.wireBody
            }
        }
        request.body = .bytes(body)

        let response: HTTPClientResponse
        let answer: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .nanoseconds(endpoint.requestTimeout.nanoseconds), logger: logger)
            answer = try await response.body.collect(upTo: 1 << 20)
        } catch {
            return .retry(RetryReason(kind: .network, status: nil, retryAfter: nil,
                                      message: "no answer from \(batchesURL): \(describe(error))"))
        }
        let status = Int(response.status.code)
        switch status {
        case 200..<300:
            switch BatchReceipt.validate(answer, for: batch) {
            case .success(let receipt):
                return .delivered(status: status, receipt: receipt)
            case .failure(let problem):
                return .retry(RetryReason(kind: .unexpected, status: status, retryAfter: nil,
                                          message: "HTTP \(status) from \(batchesURL) but \(problem.reason); not taken as delivered"))
            }
        case 408, 429, 500..<600:
            let retryAfter = RetryAfter.parse(response.headers.first(name: "Retry-After"), nowMs: nowMs())
            return .retry(RetryReason(kind: .busy, status: status, retryAfter: retryAfter,
                                      message: "HTTP \(status) from \(batchesURL)\(excerpt(answer))"))
        case 409:
            let retryAfter = RetryAfter.parse(response.headers.first(name: "Retry-After"), nowMs: nowMs())
            return .retry(RetryReason(kind: .inProgress, status: status, retryAfter: retryAfter,
                                      message: "HTTP 409 from \(batchesURL): the receiver is still processing this batch\(excerpt(answer))"))
        case 300..<400:
            let location = response.headers.first(name: "Location").map { " to \(String(redactor.scrub($0).prefix(200)))" } ?? ""
            return .retry(RetryReason(kind: .unexpected, status: status, retryAfter: nil,
                                      message: "HTTP \(status) redirect\(location) from \(batchesURL); redirects are not followed: fix upstream.url"))
        case 401, 403:
            // The answer to a bad or refused credential is not kept: it is the likeliest to echo it.
            return .refused(status: status, reason: "HTTP \(status) from \(batchesURL): the token was not accepted")
        case 400..<500:
            return .refused(status: status, reason: "HTTP \(status) from \(batchesURL)\(excerpt(answer))")
        default:
            return .retry(RetryReason(kind: .unexpected, status: status, retryAfter: nil,
                                      message: "HTTP \(status) from \(batchesURL)\(excerpt(answer))"))
        }
    }

    /// Sends a heartbeat; returns the HTTP status, or throws a message (already scrubbed).
    public func sendHeartbeat(_ heartbeat: Heartbeat) async -> Result<Int, HeartbeatFailure> {
        var request = HTTPClientRequest(url: heartbeatURL)
        request.method = .POST
        request.headers.add(name: "Authorization", value: endpoint.token.headerValue)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: userAgent)
        do {
            request.body = .bytes(ByteBuffer(bytes: WireEncoder.encode(heartbeat)))
            let response = try await http.execute(request, timeout: .nanoseconds(endpoint.requestTimeout.nanoseconds), logger: logger)
            let answer = try await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let detail = status == 401 || status == 403 ? ": the token was not accepted" : excerpt(answer)
                return .failure(HeartbeatFailure(message: redactor.scrub("HTTP \(status) from \(heartbeatURL)\(detail)")))
            }
            return .success(status)
        } catch {
            return .failure(HeartbeatFailure(message: "no answer from \(heartbeatURL): \(describe(error))"))
        }
    }

    /// `: <first line of the answer>` with the token scrubbed, or "".
    func excerpt(_ body: ByteBuffer) -> String {
        // Scrubbed before it is shortened: a cut could split the token and hide it from the scrub.
        let text = redactor.scrub(String(decoding: body.readableBytesView.prefix(16 * 1024), as: UTF8.self))
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init)?
            .trimmingCharacters(in: .whitespaces) ?? ""
        guard !line.isEmpty else { return "" }
        let printable = String(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        return ": " + redactor.scrub(String(printable.prefix(200)))
    }

    func describe(_ error: any Error) -> String {
        let text: String
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: text = "connecting timed out"
            case .deadlineExceeded: text = "no complete answer within \(endpoint.requestTimeout)"
            case .readTimeout: text = "the answer stalled (read timeout)"
            case .remoteConnectionClosed: text = "the receiver closed the connection before answering"
            default: text = String(describing: error)
            }
        } else {
            text = String(describing: error)
        }
        return redactor.scrub(text)
    }
}

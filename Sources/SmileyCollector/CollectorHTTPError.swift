import HTTPTypes
import Hummingbird
import NIOCore
import SmileyWire

/// An error answer of the collector's API: its status, what is wrong for people, and the headers
/// that go with it (`Retry-After`, `Allow`, `WWW-Authenticate`). Handlers throw it; Hummingbird's
/// router renders it through ``response(from:context:)``, the one place that writes the documented
/// error body (api/openapi.yaml, `Error`: `{"error": …}`).
public struct CollectorHTTPError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// The body's `error`.
    public var message: String
    /// Headers beside the body's `Content-Type`.
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// 401 with the challenge naming the scheme.
    static let unauthorized = CollectorHTTPError(.unauthorized, "a valid bearer token is required",
                                                 headers: [.wwwAuthenticate: #"Bearer realm="smiley-collector""#])

    /// The storage failed; the client retries after `retryAfterSeconds` when given.
    static func unavailable(_ message: String, retryAfterSeconds: Int? = nil) -> CollectorHTTPError {
        var headers = HTTPFields()
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return CollectorHTTPError(.serviceUnavailable, message, headers: headers)
    }

    public var description: String { "HTTP \(status.code): \(message)" }

    /// The documented error body with this status and headers (without the body for HEAD).
    public func response(from request: Request, context: some RequestContext) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let body = ByteBuffer(bytes: WireEncoder.encode(WireErrorBody(error: message)))
        let response = Response(status: status, headers: fields, body: .init(byteBuffer: body))
        return request.method == .head ? response.createHeadResponse() : response
    }
}

import HTTPTypes
import Hummingbird

/// 405 with `Allow` for a known path asked with another method (the router alone says 404).
struct MethodNotAllowed: RouterMiddleware {
    typealias Context = BasicRequestContext

    static let allowed: [String: HTTPRequest.Method] = [
        "/v1/batches": .post, "/v1/heartbeat": .post, "/v1/summary": .get, "/v1/terminals": .get, "/health": .get,
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let method = Self.allowed[request.uri.path], request.method != method, !(method == .get && request.method == .head) {
            throw CollectorHTTPError(.methodNotAllowed, "use \(method.rawValue) for \(request.uri.path)",
                                     headers: [.allow: method == .get ? "GET, HEAD" : method.rawValue])
        }
        return try await next(request, context)
    }
}

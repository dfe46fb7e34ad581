import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: every error below it leaves as a ``CollectorHTTPError``, so that
/// Hummingbird's own errors (no such path: 404; a body over a bound: 413) and anything unexpected
/// (500) carry the documented JSON error body too. Refusals are logged (401, 403, 413, 429 and 503 at
/// notice level, the rest at debug level), other errors at error level, with method, path, status and
/// message (never the headers, which hold the token).
struct CollectorErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let answer = Self.answer(for: error, request: request, context: context)
            if error is any HTTPResponseError {
                // Refusals an operator acts on (bad or misused tokens, oversized or too many bodies, storage
                // down) at notice level; the others (a wrong path, a malformed body) at debug level.
                let level: Logger.Level = Self.noticed.contains(answer.status.code) ? .notice : .debug
                context.logger.log(level: level, "request refused", metadata: Self.metadata(request, answer, error))
            } else {
                // Handlers throw only HTTP errors (logging their storage failures themselves): this is unexpected.
                context.logger.error("request failed", metadata: Self.metadata(request, answer, error))
            }
            throw answer
        }
    }

    /// `error` as the collector answers it: its own errors as they are, Hummingbird's with their status
    /// and headers, anything else as a 500.
    static func answer(for error: any Error, request: Request, context: Context) -> CollectorHTTPError {
        switch error {
        case let error as CollectorHTTPError:
            return error
        case let error as HTTPError:
            return CollectorHTTPError(error.status, error.body ?? message(for: error.status, request: request), headers: error.headers)
        case let error as any HTTPResponseError:
            // Its headers are those of the response it would make, less those of that response's body.
            var headers = (try? error.response(from: request, context: context).headers) ?? [:]
            headers[.contentType] = nil
            headers[.contentLength] = nil
            return CollectorHTTPError(error.status, message(for: error.status, request: request), headers: headers)
        default:
            return CollectorHTTPError(.internalServerError, "the collector failed to answer \(request.method.rawValue) \(request.uri.path); retry later")
        }
    }

    /// A message for an error of Hummingbird's that has none.
    static func message(for status: HTTPResponse.Status, request: Request) -> String {
        switch status {
        case .notFound:
            let paths = MethodNotAllowed.allowed.sorted { $0.key < $1.key }.map { "\($0.value.rawValue) \($0.key)" }
            return "no such resource: \(request.method.rawValue) \(request.uri.path); the collector answers \(paths.joined(separator: ", "))"
        case .contentTooLarge:
            return "the body is larger than the collector accepts"
        default:
            return status.reasonPhrase.isEmpty ? "HTTP \(status.code)" : status.reasonPhrase
        }
    }

    /// The refusal statuses logged at notice level.
    static let noticed: Set<Int> = [401, 403, 413, 429, 503]

    static func metadata(_ request: Request, _ answer: CollectorHTTPError, _ error: any Error) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
            "status": "\(answer.status.code)", "message": "\(answer.message)",
        ]
        if !(error is CollectorHTTPError) { metadata["error"] = "\(error)" }
        return metadata
    }
}

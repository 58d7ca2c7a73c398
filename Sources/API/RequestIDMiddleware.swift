import HTTPTypes
import Hummingbird
import Payments

/// Gives every request an id: the client's `X-Request-Id` when it is a sane token, else a new one.
/// The id is echoed in the response, set on the logger and included in problem bodies.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        let offered = request.headers[.requestID] ?? ""
        context.requestID = Self.isAcceptable(offered) ? offered : Identifier.make(prefix: "req")
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        var response = try await next(request, context)
        response.headers[.requestID] = context.requestID
        return response
    }

    /// Up to 128 characters of letters, digits and `-_.:`, so ids are safe in logs and headers.
    static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || "-_.:".utf8.contains($0)
        }
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    static let link = HTTPField.Name("Link")!
}

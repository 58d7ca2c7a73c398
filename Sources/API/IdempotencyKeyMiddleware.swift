import HTTPTypes
import Hummingbird
import Payments

/// Requires an `Idempotency-Key` on POST, PUT and PATCH: a UUID v4, plain or as a structured-field
/// string (`"…"`, IETF draft-ietf-httpapi-idempotency-key-header). Stores it lower-cased in the context.
struct IdempotencyKeyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch].contains(request.method) else { return try await next(request, context) }
        guard let header = request.headers[.idempotencyKey] else {
            throw Problem(.idempotencyKeyMissing, "send an Idempotency-Key header with a UUID v4")
        }
        var context = context
        context.idempotencyKey = try Self.parse(header)
        return try await next(request, context)
    }

    static func parse(_ header: String) throws(Problem) -> String {
        var value = Substring(header.trimmingCharacters(in: .whitespaces))
        if value.count >= 2, value.first == "\"", value.last == "\"" {
            value = value.dropFirst().dropLast()
        }
        do {
            return try IdempotencyKey.validate(String(value), field: "Idempotency-Key")
        } catch {
            throw Problem(.idempotencyKeyInvalid, "the Idempotency-Key must be a UUID v4 (36 characters)",
                          fieldErrors: error.fieldErrors)
        }
    }
}

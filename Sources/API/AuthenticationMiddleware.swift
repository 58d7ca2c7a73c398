import HTTPTypes
import Hummingbird
import Payments

/// `Authorization: Bearer <api key>` → the merchant, or 401. Keys are looked up by hash, so a wrong
/// key costs one indexed read and reveals nothing about which keys exist; a key that authenticated in
/// the last second is not read again (`APIKeyCache`).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let keys: APIKeyCache

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Problem(.unauthorized, "send Authorization: Bearer <api key>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              let merchant = try await keys.authenticate(secret: parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw Problem(.unauthorized, "the API key is unknown or revoked")
        }
        var context = context
        context.merchant = merchant
        context.logger[metadataKey: "merchant_id"] = .string(merchant.id)
        // The audit entries of what the request changes without naming anyone (an endpoint added) name the merchant's API access.
        return try await AuditActing.$actor.withValue(Actor(rawValue: "api:\(merchant.id)")) { try await next(request, context) }
    }
}

import HTTPTypes

/// Every kind of error the API answers with: a stable code (the last segment of the problem `type`
/// URI), its HTTP status and title. The OpenAPI document lists exactly these (a test compares them).
public struct ProblemType: Sendable, Hashable {
    public let code: String
    public let status: HTTPResponse.Status
    public let title: String

    init(_ code: String, _ status: HTTPResponse.Status, _ title: String) {
        self.code = code
        self.status = status
        self.title = title
    }

    public static let malformedJSON = ProblemType("malformed_json", .badRequest, "The request body is not valid JSON")
    public static let invalidBody = ProblemType("invalid_body", .badRequest, "The request body does not match the document's schema")
    public static let idempotencyKeyMissing = ProblemType("idempotency_key_missing", .badRequest,
                                                          "An Idempotency-Key header is required")
    public static let idempotencyKeyInvalid = ProblemType("idempotency_key_invalid", .badRequest,
                                                          "The Idempotency-Key header is not a UUID v4")
    public static let invalidQuery = ProblemType("invalid_query", .badRequest, "A query parameter is invalid")
    /// The bytes are not an HTTP/1.1 request (a bad request line, header or chunk): answered before routing.
    public static let malformedRequest = ProblemType("malformed_request", .badRequest, "The request is not valid HTTP")
    public static let unauthorized = ProblemType("unauthorized", .unauthorized, "A valid API key is required")
    public static let notFound = ProblemType("not_found", .notFound, "Not found")
    public static let methodNotAllowed = ProblemType("method_not_allowed", .methodNotAllowed,
                                                     "The method is not allowed on this resource")
    public static let idempotencyConflict = ProblemType("idempotency_conflict", .conflict,
                                                        "A request is outstanding for this Idempotency-Key")
    public static let stateConflict = ProblemType("state_conflict", .conflict, "The resource's state does not allow this")
    public static let deadlinePassed = ProblemType("deadline_passed", .conflict, "The decision deadline has passed")
    public static let payloadTooLarge = ProblemType("payload_too_large", .contentTooLarge, "The request body is too large")
    public static let unsupportedMediaType = ProblemType("unsupported_media_type", .unsupportedMediaType,
                                                         "The request body must be application/json")
    public static let validationFailed = ProblemType("validation_failed", .unprocessableContent, "The request failed validation")
    public static let idempotencyKeyReused = ProblemType("idempotency_key_reused", .unprocessableContent,
                                                         "The Idempotency-Key was already used with a different request")
    public static let internalError = ProblemType("internal_error", .internalServerError, "Internal server error")
    public static let unavailable = ProblemType("unavailable", .serviceUnavailable, "The service is unavailable")

    public static let all: [ProblemType] = [
        .malformedJSON, .invalidBody, .idempotencyKeyMissing, .idempotencyKeyInvalid, .invalidQuery, .malformedRequest, .unauthorized,
        .notFound, .methodNotAllowed, .idempotencyConflict, .stateConflict, .deadlinePassed, .payloadTooLarge, .unsupportedMediaType, .validationFailed,
        .idempotencyKeyReused, .internalError, .unavailable,
    ]
}

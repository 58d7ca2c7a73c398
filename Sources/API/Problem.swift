import Foundation
import HTTPTypes
import Payments

/// One RFC 9457 problem answer: a type, a detail safe to show (never an account number or a secret),
/// and the extension members and headers that go with it.
public struct Problem: Error, Sendable {
    public var type: ProblemType
    public var detail: String
    /// RFC 9457 `instance`; defaults to the request path.
    public var instance: String?
    public var fieldErrors: [PaymentError.FieldError] = []
    public var paymentID: String?
    public var headers: HTTPFields = [:]

    public init(_ type: ProblemType, _ detail: String, instance: String? = nil, fieldErrors: [PaymentError.FieldError] = [],
                paymentID: String? = nil, headers: HTTPFields = [:]) {
        self.type = type
        self.detail = detail
        self.instance = instance
        self.fieldErrors = fieldErrors
        self.paymentID = paymentID
        self.headers = headers
    }

    /// The problem a domain error means over HTTP.
    public init(_ error: PaymentError) {
        switch error.code {
        case .malformedJSON: self.init(.malformedJSON, error.message, fieldErrors: error.fieldErrors)
        case .invalidRequest: self.init(.validationFailed, error.message, fieldErrors: error.fieldErrors)
        case .invalidDocument: self.init(.invalidBody, error.message, fieldErrors: error.fieldErrors)
        case .idempotencyKeyReused: self.init(.idempotencyKeyReused, error.message)
        case .notFound, .merchantNotFound: self.init(.notFound, "no such resource")
        case .invalidStatus, .invalidTransition: self.init(.stateConflict, error.message)
        case .deadlinePassed: self.init(.deadlinePassed, error.message)
        default: self.init(.internalError, "the request could not be completed")
        }
    }

    /// A store failure or conflict over HTTP: the client retries, since nothing was written.
    public init(_ error: StoreError) {
        self.init(.unavailable, "the database is unavailable; retry later", headers: [.retryAfter: "1"])
    }

    /// The JSON body, keys sorted.
    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var instance: String
        var errors: [PaymentError.FieldError]?
        var paymentID: String?
        var requestID: String?
        enum CodingKeys: String, CodingKey {
            case type, title, status, detail, instance, errors, paymentID = "payment_id", requestID = "request_id"
        }
    }

    func body(typeBase: String, path: String, requestID: String) -> Data {
        let body = Body(type: typeBase + type.code, title: type.title, status: type.status.code, detail: detail,
                        instance: instance ?? path, errors: fieldErrors.isEmpty ? nil : fieldErrors,
                        paymentID: paymentID, requestID: requestID)
        return DocumentJSON.encode(body)
    }
}

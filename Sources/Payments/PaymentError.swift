/// A domain refusal: a request or operation the rules do not allow, with a stable `Code` callers
/// switch on, a message safe to show (no account numbers, no secrets) and, for bad input, each field
/// that was wrong. Storage failures and conflicts are `StoreError`s.
public struct PaymentError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The request failed its rules (NACHA, limits, dates); `fieldErrors` lists each field.
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// The document does not match its schema (unknown, missing or mistyped members);
        /// `fieldErrors` lists those first, then what the rules find in the members that fit.
        public static let invalidDocument = Code(rawValue: "invalid_document")
        /// The body is not JSON; the field error gives the line and column.
        public static let malformedJSON = Code(rawValue: "malformed_json")
        /// The idempotency key was used before with a different request.
        public static let idempotencyKeyReused = Code(rawValue: "idempotency_key_reused")
        public static let notFound = Code(rawValue: "not_found")
        public static let merchantNotFound = Code(rawValue: "merchant_not_found")
        public static let duplicateMerchant = Code(rawValue: "duplicate_merchant")
        public static let duplicateAccount = Code(rawValue: "duplicate_account")
        /// The exception's decision deadline has passed: the bank applies its default.
        public static let deadlinePassed = Code(rawValue: "deadline_passed")
        /// The transition table refuses the state change.
        public static let invalidTransition = Code(rawValue: "invalid_transition")
        /// The operation is not allowed in the file's or payment's current status.
        public static let invalidStatus = Code(rawValue: "invalid_status")
        /// The ODFI has used all seven digits of its trace sequence numbers.
        public static let traceSequenceExhausted = Code(rawValue: "trace_sequence_exhausted")
    }

    /// One invalid field of a request, named by its JSON path (`counterparty.routing_number`).
    public struct FieldError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
        public var field: String
        public var code: String
        public var message: String
        public init(field: String, code: String, message: String) {
            self.field = field
            self.code = code
            self.message = message
        }
        public var description: String { "\(field): \(message)" }
    }

    public var code: Code
    public var message: String
    public var fieldErrors: [FieldError]

    public init(_ code: Code, _ message: String, fieldErrors: [FieldError] = []) {
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
    }

    public var description: String {
        fieldErrors.isEmpty ? message : message + ": " + fieldErrors.map(\.description).joined(separator: "; ")
    }
}

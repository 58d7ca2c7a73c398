/// The error every Payments operation throws: a stable `Code` callers switch on, a message safe to
/// show (no account numbers, no secrets) and, for bad input, each field that was wrong.
public struct PaymentError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The request failed schema or NACHA rules; `fieldErrors` lists each field.
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// The body is not JSON; the field error gives the line and column.
        public static let malformedJSON = Code(rawValue: "malformed_json")
        /// The idempotency key was used before with a different request.
        public static let idempotencyKeyReused = Code(rawValue: "idempotency_key_reused")
        public static let notFound = Code(rawValue: "not_found")
        public static let merchantNotFound = Code(rawValue: "merchant_not_found")
        public static let duplicateMerchant = Code(rawValue: "duplicate_merchant")
        /// The transition table refuses the state change.
        public static let invalidTransition = Code(rawValue: "invalid_transition")
        /// Another run holds the lease (the cutoff lock).
        public static let lockHeld = Code(rawValue: "lock_held")
        /// The operation is not allowed in the file's or payment's current status.
        public static let invalidStatus = Code(rawValue: "invalid_status")
        /// A payment or balance changed between the read a plan was computed from and its write; nothing
        /// was written. The caller reads again and plans again, or reports.
        public static let conflict = Code(rawValue: "conflict")
        /// The database failed or is busy beyond its timeout.
        public static let storage = Code(rawValue: "storage")
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

import Foundation

/// A metl webhook event as delivered.
public struct ReceivedEvent: Sendable, Hashable, Decodable {
    public var id: String
    /// `payment.submitted`, `payment.processing`, `payment.completed`, `payment.failed`, `payment.corrected`.
    public var type: String
    public var timestamp: String
    public var data: PaymentSnapshot
}

/// The payment as an event or `GET /payments/{id}` describes it (the members both carry).
public struct PaymentSnapshot: Sendable, Hashable, Decodable {
    public struct Failure: Sendable, Hashable, Decodable {
        public var code: String
        public var message: String
    }

    public var id: String
    public var state: String
    public var version: Int
    public var amount: Int64
    public var failure: Failure?

    public init(id: String, state: String, version: Int, amount: Int64, failure: Failure? = nil) {
        self.id = id
        self.state = state
        self.version = version
        self.amount = amount
        self.failure = failure
    }
}

import Foundation

/// A payment an idempotency key already created, with the request's fingerprint and first answer.
public struct ExistingIntake: Sendable, Hashable {
    public var fingerprint: String
    public var payment: Payment
    public var response: Data?
    public init(fingerprint: String, payment: Payment, response: Data?) {
        self.fingerprint = fingerprint
        self.payment = payment
        self.response = response
    }
}

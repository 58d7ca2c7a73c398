import Foundation

public struct IntakeOutcome: Sendable, Hashable {
    public var payment: Payment
    /// False when the idempotency key returned an existing payment.
    public var created: Bool
    /// The payment document first answered for this key, when the intake kept it.
    public var firstResponse: Data?
    public init(payment: Payment, created: Bool, firstResponse: Data? = nil) {
        self.payment = payment
        self.created = created
        self.firstResponse = firstResponse
    }
}

import Foundation

/// A payment ready for a file, with the merchant whose company identity goes into its batch header.
public struct PendingPayment: Sendable, Hashable {
    public var payment: Payment
    public var merchant: Merchant
    public init(payment: Payment, merchant: Merchant) {
        self.payment = payment
        self.merchant = merchant
    }
}

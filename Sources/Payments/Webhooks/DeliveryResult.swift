import Foundation

/// An attempt's consequence, decided by the delivery policy and applied by the store in one transaction.
public struct DeliveryResult: Sendable, Hashable {
    public enum Next: Sendable, Hashable {
        case delivered
        case retry(at: Date)
        /// Dead letter: no attempt left.
        case failed
        /// The endpoint is disabled (410 Gone, or failing too long); this delivery waits, paused with the rest.
        case pause(at: Date, disableReason: String)
    }

    public var deliveryID: Int64
    public var attempt: WebhookAttempt
    public var next: Next

    public init(deliveryID: Int64, attempt: WebhookAttempt, next: Next) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.next = next
    }
}

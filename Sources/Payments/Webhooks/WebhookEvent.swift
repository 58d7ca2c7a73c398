import Foundation

/// One event of the outbox: the history row it announces and the payment it belongs to. Its JSON
/// body is rendered from them (`WebhookPayload`), by the attempt that sends it rather than in the
/// transaction that leases it.
public struct WebhookEvent: Sendable, Hashable {
    public var id: String
    public var type: WebhookEventType
    public var entry: HistoryEntry
    public var payment: Payment
    public var createdAt: Date

    public init(id: String, type: WebhookEventType, entry: HistoryEntry, payment: Payment, createdAt: Date) {
        self.id = id
        self.type = type
        self.entry = entry
        self.payment = payment
        self.createdAt = createdAt
    }

    public var merchantID: String { payment.merchantID }
    public var paymentID: String { payment.id }
    public var paymentVersion: Int { entry.version }
    /// The JSON body: the same bytes on every attempt and replay.
    public var payload: Data { WebhookPayload.render(eventID: id, type: type, entry: entry, payment: payment) }
}

import Foundation

/// One webhook event of the outbox, written with the change it reports and fanned out to the
/// endpoints that take its type. The body is rendered later from the history row it names
/// (`WebhookPayload`), so the outbox stores no copy of it.
public struct OutboxEvent: Sendable, Hashable {
    public var id: String
    public var merchantID: String
    public var paymentID: String
    public var paymentVersion: Int
    public var type: WebhookEventType
    public var createdAt: Date
    public var endpointIDs: [String]

    public init(id: String, merchantID: String, paymentID: String, paymentVersion: Int, type: WebhookEventType, createdAt: Date,
                endpointIDs: [String]) {
        self.id = id
        self.merchantID = merchantID
        self.paymentID = paymentID
        self.paymentVersion = paymentVersion
        self.type = type
        self.createdAt = createdAt
        self.endpointIDs = endpointIDs
    }

    /// One id per payment version (`pay_X` version 3 → `evt_X_3`): a change is announced once, and a
    /// replay resends the same id, which receivers dedupe on.
    public static func id(paymentID: String, version: Int) -> String {
        let suffix = paymentID.hasPrefix("pay_") ? paymentID.dropFirst(4) : paymentID[...]
        return "evt_\(suffix)_\(version)"
    }
}

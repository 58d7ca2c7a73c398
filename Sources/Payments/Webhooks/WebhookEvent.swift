import Foundation

/// One event of the outbox: the JSON body is fixed when the change commits.
public struct WebhookEvent: Sendable, Hashable {
    public var id: String
    public var merchantID: String
    public var paymentID: String
    public var paymentVersion: Int
    public var type: WebhookEventType
    public var payload: Data
    public var createdAt: Date

    public init(id: String, merchantID: String, paymentID: String, paymentVersion: Int, type: WebhookEventType, payload: Data,
                createdAt: Date) {
        self.id = id
        self.merchantID = merchantID
        self.paymentID = paymentID
        self.paymentVersion = paymentVersion
        self.type = type
        self.payload = payload
        self.createdAt = createdAt
    }
}

import Foundation

/// A delivery a worker holds the lease on: the event, the endpoint, the secrets that sign it now,
/// and the number of this attempt.
public struct WebhookDelivery: Sendable, Hashable {
    public var id: Int64
    public var event: WebhookEvent
    public var endpoint: WebhookEndpoint
    public var secrets: [String]
    public var attempt: Int

    public init(id: Int64, event: WebhookEvent, endpoint: WebhookEndpoint, secrets: [String], attempt: Int) {
        self.id = id
        self.event = event
        self.endpoint = endpoint
        self.secrets = secrets
        self.attempt = attempt
    }
}

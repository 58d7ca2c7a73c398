import Foundation

/// Webhook endpoints and the delivery outbox. Events themselves are planned with each state change
/// (`LedgerPlan.events`) and written in its transaction; this is everything else.
public protocol WebhookStore: Sendable {
    /// Adds an endpoint with its first secret. With an idempotency key already used by the merchant, returns
    /// that endpoint instead (`created` false) and its current secret. `allowsPrivateAddresses` is an
    /// operator's grant (`WebhookEndpoint.allowsPrivateAddresses`), never a merchant's.
    func addWebhookEndpoint(merchantID: String, url: String, eventTypes: [WebhookEventType], secret: String, idempotencyKey: String?,
                            allowsPrivateAddresses: Bool) async throws -> (endpoint: WebhookEndpoint, secret: String, created: Bool)
    /// Endpoints of one merchant, or of all merchants when nil.
    func webhookEndpoints(merchantID: String?) async throws -> [WebhookEndpoint]
    /// `merchantID` nil: operator access to any endpoint.
    func setWebhookEndpoint(id: String, merchantID: String?, enabled: Bool, reason: String?) async throws -> WebhookEndpoint
    /// Adds `newSecret` as the current secret; older unexpired secrets keep signing until `graceEnds`.
    /// A repeated `idempotencyKey` returns the secret that key rotated in, rotating nothing.
    func rotateWebhookSecret(endpointID: String, merchantID: String?, newSecret: String, graceEnds: Date,
                             idempotencyKey: String?) async throws -> (endpoint: WebhookEndpoint, secret: String)

    /// Records a round's results (see `recordWebhookResults`), then leases up to `limit` due deliveries
    /// for `owner` until `leaseEnds`: at most `perEndpoint` in flight per endpoint, and never a later
    /// version of a payment while an earlier one is pending for that endpoint. One transaction, so a
    /// worker's loop pays one commit per round.
    func recordAndClaimWebhookDeliveries(_ results: [DeliveryResult], owner: String, limit: Int, perEndpoint: Int, now: Date,
                                         leaseEnds: Date) async throws -> [WebhookDelivery]
    /// Records attempts and their consequences in one transaction. Deliveries whose lease `owner` lost are
    /// recorded as attempts only.
    func recordWebhookResults(_ results: [DeliveryResult], owner: String) async throws
    /// When the next pending delivery falls due (for enabled endpoints), or nil.
    func nextWebhookDue() async throws -> Date?

    /// The delivery log: deliveries in `status` (all when nil) made in the window, in the order they were made.
    func webhookDeliveries(status: WebhookDeliveryStatus.Status?, window: ListWindow) async throws -> [WebhookDeliveryStatus]
    func webhookDeliveryCount(status: WebhookDeliveryStatus.Status) async throws -> Int
    func webhookAttempts(eventID: String) async throws -> [WebhookAttempt]
    /// Makes the event's deliveries (optionally to one endpoint) due again now with fresh attempts; returns how many.
    func replayWebhookEvent(id: String, endpointID: String?) async throws -> Int
    /// Replays every event created at or after `since`; returns how many deliveries were made due.
    func replayWebhookEvents(since: Date, endpointID: String?) async throws -> Int
}

extension WebhookStore {
    /// An endpoint that receives on public addresses only: what a merchant registers.
    public func addWebhookEndpoint(merchantID: String, url: String, eventTypes: [WebhookEventType], secret: String,
                                   idempotencyKey: String?) async throws -> (endpoint: WebhookEndpoint, secret: String, created: Bool) {
        try await addWebhookEndpoint(merchantID: merchantID, url: url, eventTypes: eventTypes, secret: secret, idempotencyKey: idempotencyKey,
                                     allowsPrivateAddresses: false)
    }
}

extension WebhookStore {
    /// The first `limit` deliveries in `status` (all when nil), oldest first.
    public func webhookDeliveries(status: WebhookDeliveryStatus.Status?, limit: Int) async throws -> [WebhookDeliveryStatus] {
        try await webhookDeliveries(status: status, window: ListWindow(limit: limit))
    }
}

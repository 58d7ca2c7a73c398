import Foundation

/// The kinds of webhook event, one per notified change.
public enum WebhookEventType: String, Sendable, Hashable, CaseIterable, Codable {
    case submitted = "payment.submitted"
    case processing = "payment.processing"
    case completed = "payment.completed"
    case failed = "payment.failed"
    case corrected = "payment.corrected"
}

/// A merchant's receiving URL, its event filter and whether deliveries go out.
public struct WebhookEndpoint: Sendable, Hashable {
    public var id: String
    public var merchantID: String
    public var url: String
    /// Empty: every type.
    public var eventTypes: [WebhookEventType]
    public var enabled: Bool
    public var disabledReason: String?
    /// When the current run of failed attempts began.
    public var failingSince: Date?
    public var createdAt: Date

    public init(id: String, merchantID: String, url: String, eventTypes: [WebhookEventType], enabled: Bool,
                disabledReason: String?, failingSince: Date?, createdAt: Date) {
        self.id = id
        self.merchantID = merchantID
        self.url = url
        self.eventTypes = eventTypes
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.failingSince = failingSince
        self.createdAt = createdAt
    }
}

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

/// What one attempt did, as recorded (`metl webhooks attempts`).
public struct WebhookAttempt: Sendable, Hashable {
    public var eventID: String
    public var endpointID: String
    public var attempt: Int
    public var startedAt: Date
    public var statusCode: Int?
    public var latencyMilliseconds: Int
    public var error: String?
    /// The first bytes of the response body.
    public var responseExcerpt: String?

    public init(eventID: String, endpointID: String, attempt: Int, startedAt: Date, statusCode: Int?, latencyMilliseconds: Int,
                error: String?, responseExcerpt: String?) {
        self.eventID = eventID
        self.endpointID = endpointID
        self.attempt = attempt
        self.startedAt = startedAt
        self.statusCode = statusCode
        self.latencyMilliseconds = latencyMilliseconds
        self.error = error
        self.responseExcerpt = responseExcerpt
    }
}

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

/// A delivery as listed (`metl webhooks events`).
public struct WebhookDeliveryStatus: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable { case pending, delivered, failed }
    public var eventID: String
    public var eventType: WebhookEventType
    public var paymentID: String
    public var endpointID: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastStatusCode: Int?
    public var lastError: String?
    public var createdAt: Date

    public init(eventID: String, eventType: WebhookEventType, paymentID: String, endpointID: String, status: Status, attempts: Int,
                nextAttemptAt: Date?, lastStatusCode: Int?, lastError: String?, createdAt: Date) {
        self.eventID = eventID
        self.eventType = eventType
        self.paymentID = paymentID
        self.endpointID = endpointID
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.createdAt = createdAt
    }
}

/// Webhook endpoints and the delivery outbox. Events themselves are planned with each state change
/// (`LedgerPlan.events`) and written in its transaction; this is everything else.
public protocol WebhookStore: Sendable {
    /// Adds an endpoint with its first secret. With an idempotency key already used by the merchant, returns
    /// that endpoint instead (`created` false) and its current secret.
    func addWebhookEndpoint(merchantID: String, url: String, eventTypes: [WebhookEventType], secret: String,
                            idempotencyKey: String?) async throws(PaymentError) -> (endpoint: WebhookEndpoint, secret: String, created: Bool)
    /// Endpoints of one merchant, or of all merchants when nil.
    func webhookEndpoints(merchantID: String?) async throws(PaymentError) -> [WebhookEndpoint]
    /// `merchantID` nil: operator access to any endpoint.
    func setWebhookEndpoint(id: String, merchantID: String?, enabled: Bool, reason: String?) async throws(PaymentError) -> WebhookEndpoint
    /// Adds `newSecret` as the current secret; older unexpired secrets keep signing until `graceEnds`.
    /// A repeated `idempotencyKey` returns the secret that key rotated in, rotating nothing.
    func rotateWebhookSecret(endpointID: String, merchantID: String?, newSecret: String, graceEnds: Date,
                             idempotencyKey: String?) async throws(PaymentError) -> (endpoint: WebhookEndpoint, secret: String)

    /// Records a round's results (see `recordWebhookResults`), then leases up to `limit` due deliveries
    /// for `owner` until `leaseEnds`: at most `perEndpoint` in flight per endpoint, and never a later
    /// version of a payment while an earlier one is pending for that endpoint. One transaction, so a
    /// worker's loop pays one commit per round.
    func recordAndClaimWebhookDeliveries(_ results: [DeliveryResult], owner: String, limit: Int, perEndpoint: Int, now: Date,
                                         leaseEnds: Date) async throws(PaymentError) -> [WebhookDelivery]
    /// Records attempts and their consequences in one transaction. Deliveries whose lease `owner` lost are
    /// recorded as attempts only.
    func recordWebhookResults(_ results: [DeliveryResult], owner: String) async throws(PaymentError)
    /// When the next pending delivery falls due (for enabled endpoints), or nil.
    func nextWebhookDue() async throws(PaymentError) -> Date?

    func webhookDeliveries(status: WebhookDeliveryStatus.Status?, limit: Int) async throws(PaymentError) -> [WebhookDeliveryStatus]
    func webhookDeliveryCount(status: WebhookDeliveryStatus.Status) async throws(PaymentError) -> Int
    func webhookAttempts(eventID: String) async throws(PaymentError) -> [WebhookAttempt]
    /// Makes the event's deliveries (optionally to one endpoint) due again now with fresh attempts; returns how many.
    func replayWebhookEvent(id: String, endpointID: String?) async throws(PaymentError) -> Int
    /// Replays every event created at or after `since`; returns how many deliveries were made due.
    func replayWebhookEvents(since: Date, endpointID: String?) async throws(PaymentError) -> Int
}

/// An endpoint as the API and `metl webhooks endpoints --json` show it. The secret is present only in
/// the answers that create it (add, rotate).
public struct WebhookEndpointDocument: Sendable, Hashable, Encodable {
    public var id: String
    public var merchantID: String
    public var url: String
    /// `["*"]` for every type.
    public var events: [String]
    public var enabled: Bool
    public var disabledReason: String?
    public var secret: String?
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, merchantID = "merchant_id", url, events, enabled, disabledReason = "disabled_reason", secret, createdAt = "created_at"
    }

    public init(_ endpoint: WebhookEndpoint, secret: String? = nil) {
        id = endpoint.id
        merchantID = endpoint.merchantID
        url = endpoint.url
        events = endpoint.eventTypes.isEmpty ? ["*"] : endpoint.eventTypes.map(\.rawValue)
        enabled = endpoint.enabled
        disabledReason = endpoint.disabledReason
        self.secret = secret
        createdAt = Timestamp.format(endpoint.createdAt)
    }

    /// `disabled_reason` is always present (`null` while enabled); `secret` only when there is one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(merchantID, forKey: .merchantID)
        try container.encode(url, forKey: .url)
        try container.encode(events, forKey: .events)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(disabledReason, forKey: .disabledReason)
        try container.encodeIfPresent(secret, forKey: .secret)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

import Foundation

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
    public static let idPrefix = "whe"
    /// An operator registered it to receive on a loopback or private address (an internal service):
    /// the delivery worker allows that address for this endpoint only, whatever its own policy.
    public var allowsPrivateAddresses: Bool

    public init(id: String, merchantID: String, url: String, eventTypes: [WebhookEventType], enabled: Bool,
                disabledReason: String?, failingSince: Date?, createdAt: Date, allowsPrivateAddresses: Bool = false) {
        self.allowsPrivateAddresses = allowsPrivateAddresses
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

extension WebhookEndpoint {
    /// Whether deliveries of `type` go to this endpoint: enabled, and the filter is empty (every
    /// type) or names it.
    public func takes(_ type: WebhookEventType) -> Bool {
        enabled && (eventTypes.isEmpty || eventTypes.contains(type))
    }
}

extension WebhookEndpoint {
    /// What an operator's disable records when they give no reason.
    public static let operatorDisableReason = "disabled by an operator"

    /// The `disabledReason` an operator's change leaves: enabling clears it, disabling records why.
    public static func disabledReason(enabling: Bool, given reason: String?) -> String? {
        enabling ? nil : (reason ?? operatorDisableReason)
    }

    /// This endpoint, which an earlier request under `idempotencyKey` created, answered again when the
    /// request is the same one (its URL and event types); another request under the key is refused.
    public func replayed(url: String, eventTypes: [WebhookEventType], idempotencyKey: String) throws(PaymentError) -> WebhookEndpoint {
        guard self.url == url, Set(self.eventTypes) == Set(eventTypes) else {
            throw PaymentError(.idempotencyKeyReused, "idempotency key \(idempotencyKey) was already used with a different request")
        }
        return self
    }
}

extension WebhookEndpoint {
    /// A new endpoint, enabled, with a fresh id.
    public static func new(merchantID: String, url: String, eventTypes: [WebhookEventType], allowsPrivateAddresses: Bool,
                           at now: Date) -> WebhookEndpoint {
        WebhookEndpoint(id: Identifier.make(prefix: WebhookEndpoint.idPrefix), merchantID: merchantID, url: url, eventTypes: eventTypes, enabled: true,
                        disabledReason: nil, failingSince: nil, createdAt: now, allowsPrivateAddresses: allowsPrivateAddresses)
    }
}

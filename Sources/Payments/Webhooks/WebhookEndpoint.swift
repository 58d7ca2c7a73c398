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

extension WebhookEndpoint {
    /// Whether deliveries of `type` go to this endpoint: enabled, and the filter is empty (every
    /// type) or names it.
    public func takes(_ type: WebhookEventType) -> Bool {
        enabled && (eventTypes.isEmpty || eventTypes.contains(type))
    }
}

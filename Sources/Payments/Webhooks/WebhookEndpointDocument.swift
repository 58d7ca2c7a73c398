import Foundation

/// An endpoint as the API and `metl webhooks endpoints --json` show it. The secret is present only in
/// the answers that create it (add, rotate).
public struct WebhookEndpointDocument: Sendable, Hashable, Encodable {
    public var id: String
    public var merchantID: String
    public var url: String
    /// `["*"]` for every type.
    public var events: [String]
    public var enabled: Bool
    /// `null` while enabled.
    @Nullable public var disabledReason: String?
    /// Present only in the answers that create it (add, rotate); left out everywhere else.
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
}

import Foundation

/// One webhook event of the outbox, written with the change it reports and fanned out to the
/// endpoints that take its type. The body is rendered later from the record and version it names
/// (`WebhookPayload`), so the outbox stores no copy of it.
public struct OutboxEvent: Sendable, Hashable {
    public var id: String
    public var merchantID: String
    /// The payment, check or exception the event is about (its `type` says which).
    public var subjectID: String
    /// The subject's version the event announces: deliveries to an endpoint go out in version order.
    public var subjectVersion: Int
    public var type: WebhookEventType
    public var createdAt: Date
    public var endpointIDs: [String]

    public init(id: String, merchantID: String, subjectID: String, subjectVersion: Int, type: WebhookEventType, createdAt: Date,
                endpointIDs: [String]) {
        self.id = id
        self.merchantID = merchantID
        self.subjectID = subjectID
        self.subjectVersion = subjectVersion
        self.type = type
        self.createdAt = createdAt
        self.endpointIDs = endpointIDs
    }

    /// The event announcing `version` of `subjectID`, fanned out to those of `endpoints` (the
    /// merchant's enabled ones) that take `type`.
    public init(_ type: WebhookEventType, subjectID: String, version: Int, merchantID: String, at: Date, endpoints: [WebhookEndpoint]) {
        self.init(id: Self.id(subjectID: subjectID, version: version), merchantID: merchantID, subjectID: subjectID,
                  subjectVersion: version, type: type, createdAt: at, endpointIDs: endpoints.filter { $0.takes(type) }.map(\.id))
    }

    /// One id per subject version (`pay_X` version 3 → `evt_X_3`, `chk_X` → `evt_chk_X_3`): a change
    /// is announced once, and a replay resends the same id, which receivers dedupe on. Only payments
    /// drop their prefix, which keeps the ids their events always had.
    public static func id(subjectID: String, version: Int) -> String {
        let suffix = subjectID.hasPrefix("pay_") ? subjectID.dropFirst(4) : subjectID[...]
        return "evt_\(suffix)_\(version)"
    }
}

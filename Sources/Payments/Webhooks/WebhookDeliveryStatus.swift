import Foundation

/// A delivery as listed (`metl webhooks events`).
public struct WebhookDeliveryStatus: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable { case pending, delivered, failed }
    /// What every delivery id starts with, before `_`: `dlv_42`, its row in the delivery log.
    public static let idPrefix = "dlv"
    /// The delivery's place in the log, in the order deliveries were made: what a page's cursor names.
    public var id: String
    public var eventID: String
    public var eventType: WebhookEventType
    public var subjectID: String
    public var endpointID: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastStatusCode: Int?
    public var lastError: String?
    public var createdAt: Date

    public init(row: Int64, eventID: String, eventType: WebhookEventType, subjectID: String, endpointID: String, status: Status, attempts: Int,
                nextAttemptAt: Date?, lastStatusCode: Int?, lastError: String?, createdAt: Date) {
        self.id = "\(Self.idPrefix)_\(row)"
        self.eventID = eventID
        self.eventType = eventType
        self.subjectID = subjectID
        self.endpointID = endpointID
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.createdAt = createdAt
    }
}

extension ListWindow {
    /// The delivery-log row of the window's cursor (`dlv_42`), which lists compare as a number.
    public var deliveryRowAfter: Int64? {
        guard let afterID, afterID.hasPrefix(WebhookDeliveryStatus.idPrefix + "_") else { return nil }
        return Int64(afterID.dropFirst(WebhookDeliveryStatus.idPrefix.count + 1))
    }
}

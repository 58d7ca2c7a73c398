import Foundation

/// A delivery as listed (`metl webhooks events`).
public struct WebhookDeliveryStatus: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable { case pending, delivered, failed }
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

    public init(eventID: String, eventType: WebhookEventType, subjectID: String, endpointID: String, status: Status, attempts: Int,
                nextAttemptAt: Date?, lastStatusCode: Int?, lastError: String?, createdAt: Date) {
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

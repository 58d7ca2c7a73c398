import Foundation

/// The kinds of webhook event, one per notified change.
public enum WebhookEventType: String, Sendable, Hashable, CaseIterable, Codable {
    case submitted = "payment.submitted"
    case processing = "payment.processing"
    case completed = "payment.completed"
    case failed = "payment.failed"
    case corrected = "payment.corrected"
}

import Foundation

/// The kinds of webhook event, one per notified change.
public enum WebhookEventType: String, Sendable, Hashable, CaseIterable, Codable {
    case submitted = "payment.submitted"
    case processing = "payment.processing"
    case completed = "payment.completed"
    case failed = "payment.failed"
    case corrected = "payment.corrected"
}

extension WebhookEventType {
    /// The event a change of state into `state` announces; nil for the states merchants are not told
    /// about (a request is answered synchronously when it is created and validated).
    public init?(announcing state: PaymentState) {
        switch state {
        case .submittedToCore: self = .submitted
        case .processing: self = .processing
        case .completed: self = .completed
        case .failed: self = .failed
        case .created, .validated: return nil
        }
    }
}

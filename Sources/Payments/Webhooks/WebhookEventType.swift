import Foundation

/// The kinds of webhook event, one per notified change, for each kind of request merchants follow.
public enum WebhookEventType: String, Sendable, Hashable, CaseIterable, Codable {
    case submitted = "payment.submitted"
    case processing = "payment.processing"
    case completed = "payment.completed"
    case failed = "payment.failed"
    case corrected = "payment.corrected"
    /// Created over its profile's approval threshold: P_CREATED until approvers decide.
    case awaitingApproval = "payment.awaiting_approval"
    /// An approver rejected it: P_FAILED `rejected_by_approver`.
    case rejected = "payment.rejected"
    case checkSubmitted = "check.submitted"
    case checkOnFile = "check.on_file"
    case checkPaid = "check.paid"
    case checkFailed = "check.failed"
    case exceptionOpened = "check.exception.opened"
    case exceptionDecided = "check.exception.decided"
    case exceptionClosed = "check.exception.closed"
}

extension WebhookEventType {
    /// The event a payment's change of state into `state` announces; nil for the states merchants
    /// are not told about (a request is answered synchronously when it is created and validated).
    public init?(announcing state: PaymentState) {
        switch state {
        case .submittedToCore: self = .submitted
        case .processing: self = .processing
        case .completed: self = .completed
        case .failed: self = .failed
        case .created, .validated: return nil
        }
    }

    /// The event a check's change of state into `state` announces, as for payments.
    public init?(announcingCheck state: PaymentState) {
        switch state {
        case .submittedToCore: self = .checkSubmitted
        case .processing: self = .checkOnFile
        case .completed: self = .checkPaid
        case .failed: self = .checkFailed
        case .created, .validated: return nil
        }
    }

    /// The status an exception event announces; nil for the other subjects.
    public var exceptionStatus: CheckException.Status? {
        switch self {
        case .exceptionOpened: .open
        case .exceptionDecided: .decided
        case .exceptionClosed: .closed
        default: nil
        }
    }

    /// An exception's status change: opened, decided, closed.
    public init(announcing status: CheckException.Status) {
        switch status {
        case .open: self = .exceptionOpened
        case .decided: self = .exceptionDecided
        case .closed: self = .exceptionClosed
        }
    }
}

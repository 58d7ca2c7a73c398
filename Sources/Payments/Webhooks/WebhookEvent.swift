import Foundation

/// One event of the outbox with what its body is rendered from (`WebhookPayload`), by the attempt
/// that sends it rather than in the transaction that leases it.
public struct WebhookEvent: Sendable, Hashable {
    /// The record the event is about, as the body needs it.
    public enum Subject: Sendable, Hashable {
        /// A payment and the history row the event announces.
        case payment(Payment, HistoryEntry)
        /// A check issue and the history row the event announces.
        case check(CheckIssue, HistoryEntry)
        /// An exception and the company's decision on it, if one was made.
        case exception(CheckException, ExceptionDecision?)
    }

    public var id: String
    public var type: WebhookEventType
    public var subject: Subject
    public var createdAt: Date

    public init(id: String, type: WebhookEventType, subject: Subject, createdAt: Date) {
        self.id = id
        self.type = type
        self.subject = subject
        self.createdAt = createdAt
    }

    public var merchantID: String {
        switch subject {
        case .payment(let payment, _): payment.merchantID
        case .check(let check, _): check.merchantID
        case .exception(let exception, _): exception.merchantID
        }
    }

    /// The JSON body: the same bytes on every attempt and replay.
    public var payload: Data { WebhookPayload.render(self) }
}

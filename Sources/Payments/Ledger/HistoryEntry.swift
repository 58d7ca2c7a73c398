import Foundation

/// One append-only history row of a request (a payment or a check issue): the change, who made
/// it, why, and from which file line.
public struct HistoryEntry: Sendable, Hashable {
    /// The payment (`pay_…`) or check issue (`chk_…`).
    public var requestID: String
    public var version: Int
    public var fromState: PaymentState?
    public var toState: PaymentState
    public var actor: Actor
    public var reasonCode: String
    public var reasonText: String
    public var source: SourceReference?
    public var createdAt: Date

    public init(requestID: String, version: Int, fromState: PaymentState?, toState: PaymentState, actor: Actor,
                reasonCode: String, reasonText: String, source: SourceReference?, createdAt: Date) {
        self.requestID = requestID
        self.version = version
        self.fromState = fromState
        self.toState = toState
        self.actor = actor
        self.reasonCode = reasonCode
        self.reasonText = reasonText
        self.source = source
        self.createdAt = createdAt
    }
}

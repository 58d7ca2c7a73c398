import Foundation

/// One state change to apply: target state, reason and provenance.
public struct TransitionStep: Sendable, Hashable {
    public var to: PaymentState
    public var actor: Actor
    public var reasonCode: String
    public var reasonText: String
    public var source: SourceReference?
    /// Set on the failure a step records on the payment (`P_FAILED` steps).
    public var failure: Failure?

    public init(to: PaymentState, actor: Actor, reasonCode: String, reasonText: String,
                source: SourceReference? = nil, failure: Failure? = nil) {
        self.to = to
        self.actor = actor
        self.reasonCode = reasonCode
        self.reasonText = reasonText
        self.source = source
        self.failure = failure
    }
}

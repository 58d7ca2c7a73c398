import Foundation

/// The company's answer to an exception: pay or return, with a return reason. It is a request of
/// its own with a `P_*` path (`DecisionStateMachine`): P_VALIDATED when made before the deadline on
/// an open exception, P_SUBMITTED_TO_CORE once the decision file holding it is at the bank.
public struct ExceptionDecision: Sendable, Hashable, Identifiable {
    public var id: String
    public var exceptionID: String
    public var merchantID: String
    public var decision: CheckException.Decision
    /// Required for a return.
    public var returnReason: String?
    public var state: PaymentState
    public var version: Int
    public var failure: Failure?
    /// Its record in a decision file, once a cutoff put it there.
    public var record: CheckIssue.Placement?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, exceptionID: String, merchantID: String, decision: CheckException.Decision, returnReason: String?,
                state: PaymentState, version: Int, failure: Failure? = nil, record: CheckIssue.Placement? = nil, createdAt: Date,
                updatedAt: Date) {
        self.id = id
        self.exceptionID = exceptionID
        self.merchantID = merchantID
        self.decision = decision
        self.returnReason = returnReason
        self.state = state
        self.version = version
        self.failure = failure
        self.record = record
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The decisions' transition table.
public enum DecisionStateMachine {
    public static let table = StateTable("decision", [
        .created: [.validated, .failed],
        .validated: [.submittedToCore, .failed],       // FAILED: the deadline passed before it was sent
        .submittedToCore: [.processing, .failed],
        .processing: [.completed, .failed],
        .completed: [],
        .failed: [],
    ])
}

import Foundation

/// What a store read for one intake, inside the transaction that persists the plan.
public struct IntakeRead: Sendable {
    /// The payment an earlier request with the same key created.
    public var existing: ExistingIntake?
    /// The merchant's stored balance; nil when there is no such merchant. Read only when the
    /// planner does not know it yet (`LedgerPlanner.balance(of:)`).
    public var balance: Int64?
    /// The latest notification of change for the request's account.
    public var correction: CounterpartyCorrection?

    public init(existing: ExistingIntake?, balance: Int64?, correction: CounterpartyCorrection?) {
        self.existing = existing
        self.balance = balance
        self.correction = correction
    }
}

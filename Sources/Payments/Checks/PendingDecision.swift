/// A decision a decision file is to carry, with the exception it answers and its account.
public struct PendingDecision: Sendable, Hashable {
    public var decision: ExceptionDecision
    public var exception: CheckException
    public var account: CheckAccount

    public init(decision: ExceptionDecision, exception: CheckException, account: CheckAccount) {
        self.decision = decision
        self.exception = exception
        self.account = account
    }
}

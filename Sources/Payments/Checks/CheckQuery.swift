/// Which check issues to list, oldest first.
public struct CheckQuery: Sendable, Hashable {
    public var merchantID: String?
    public var accountID: String?
    public var state: PaymentState?
    /// Only checks whose id sorts after this one (ids are time-ordered): the pagination cursor.
    public var afterID: String?
    public var limit: Int

    public init(merchantID: String? = nil, accountID: String? = nil, state: PaymentState? = nil, afterID: String? = nil,
                limit: Int = 1_000) {
        self.merchantID = merchantID
        self.accountID = accountID
        self.state = state
        self.afterID = afterID
        self.limit = limit
    }
}

/// Which check issues to list, oldest first.
public struct CheckQuery: Sendable, Hashable {
    public var merchantID: String?
    public var accountID: String?
    public var state: PaymentState?
    /// Only checks with this serial (without leading zeros).
    public var serial: String?
    /// Only checks whose id sorts after this one (ids are time-ordered): the pagination cursor.
    public var afterID: String?
    public var limit: Int

    public init(merchantID: String? = nil, accountID: String? = nil, state: PaymentState? = nil, serial: String? = nil,
                afterID: String? = nil, limit: Int = 1_000) {
        self.merchantID = merchantID
        self.accountID = accountID
        self.state = state
        self.serial = serial
        self.afterID = afterID
        self.limit = limit
    }
}

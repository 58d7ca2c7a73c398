import Foundation

public struct PaymentQuery: Sendable, Hashable {
    public var merchantID: String?
    public var state: PaymentState?
    /// Only payments whose id sorts after this one (ids are time-ordered): the pagination cursor.
    public var afterID: String?
    public var createdAfter: Date?
    public var limit: Int
    public init(merchantID: String? = nil, state: PaymentState? = nil, afterID: String? = nil, createdAfter: Date? = nil,
                limit: Int = 1_000) {
        self.merchantID = merchantID
        self.state = state
        self.afterID = afterID
        self.createdAfter = createdAfter
        self.limit = limit
    }
}

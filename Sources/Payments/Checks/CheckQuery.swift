/// Which check issues to list: the obvious fields to filter on, and the window (created when,
/// which order, after which cursor, how many).
public struct CheckQuery: Sendable, Hashable {
    public var merchantID: String?
    public var accountID: String?
    public var state: PaymentState?
    /// Only checks with this serial (without leading zeros).
    public var serial: String?
    /// Only checks of at least this many cents.
    public var minimumAmount: Int64?
    /// Only checks of at most this many cents.
    public var maximumAmount: Int64?
    /// Only checks whose issue or void record went in this outbound file.
    public var fileID: String?
    public var window: ListWindow

    public init(merchantID: String? = nil, accountID: String? = nil, state: PaymentState? = nil, serial: String? = nil,
                minimumAmount: Int64? = nil, maximumAmount: Int64? = nil, fileID: String? = nil, window: ListWindow = ListWindow()) {
        self.merchantID = merchantID
        self.accountID = accountID
        self.state = state
        self.serial = serial
        self.minimumAmount = minimumAmount
        self.maximumAmount = maximumAmount
        self.fileID = fileID
        self.window = window
    }

    public init(accountID: String? = nil, state: PaymentState? = nil, limit: Int) {
        self.init(accountID: accountID, state: state, window: ListWindow(limit: limit))
    }
}

import Foundation

/// Which payments to list: the obvious fields to filter on, and the window (created when, which
/// order, after which cursor, how many).
public struct PaymentQuery: Sendable, Hashable {
    public var merchantID: String?
    public var state: PaymentState?
    /// Only payments of at least this many cents.
    public var minimumAmount: Int64?
    /// Only payments of at most this many cents.
    public var maximumAmount: Int64?
    public var traceNumber: Int?
    /// Only payments bound to this outbound file.
    public var fileID: String?
    public var window: ListWindow

    public init(merchantID: String? = nil, state: PaymentState? = nil, minimumAmount: Int64? = nil, maximumAmount: Int64? = nil,
                traceNumber: Int? = nil, fileID: String? = nil, window: ListWindow = ListWindow()) {
        self.merchantID = merchantID
        self.state = state
        self.minimumAmount = minimumAmount
        self.maximumAmount = maximumAmount
        self.traceNumber = traceNumber
        self.fileID = fileID
        self.window = window
    }

    public init(merchantID: String? = nil, state: PaymentState? = nil, limit: Int) {
        self.init(merchantID: merchantID, state: state, window: ListWindow(limit: limit))
    }
}

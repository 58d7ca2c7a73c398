import Foundation

/// A payment or check bound to a file, as much of it as a file-wide step needs.
public struct BoundRequest: Sendable, Hashable {
    public var id: String
    public var merchantID: String
    public var state: PaymentState
    public var version: Int
    public init(id: String, merchantID: String, state: PaymentState, version: Int) {
        self.id = id
        self.merchantID = merchantID
        self.state = state
        self.version = version
    }
}

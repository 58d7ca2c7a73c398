import Foundation

/// Why a payment failed: a stable code (`insufficient_funds`, `R01`, `BH232` …) and a readable message.
public struct Failure: Sendable, Hashable, Codable {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The code of a payment or check stopped before it reached the bank: a payment an operator or
    /// its merchant cancelled, a check voided before it was sent.
    public static let cancelledCode = "cancelled"
}

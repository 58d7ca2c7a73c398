import BankFiles
import Payments

/// Why a file is quarantined rather than applied.
public struct InboundQuarantine: Error, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

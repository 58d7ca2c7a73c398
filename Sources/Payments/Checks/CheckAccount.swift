import Foundation
import NACHA

/// A merchant's checking account enrolled in Positive Pay: where its checks are drawn, and the
/// layout its bank takes issue files in.
public struct CheckAccount: Sendable, Hashable, Identifiable {
    public var id: String
    public var merchantID: String
    public var routingNumber: String
    /// Digits only; never shown whole (`maskedAccountNumber`).
    public var accountNumber: String
    public var layout: PositivePayLayout
    /// Payee positive pay: every check names its payee, and the bank matches it.
    public var payeeMatch: Bool
    public var createdAt: Date

    public init(id: String, merchantID: String, routingNumber: String, accountNumber: String, layout: PositivePayLayout,
                payeeMatch: Bool, createdAt: Date) {
        self.id = id
        self.merchantID = merchantID
        self.routingNumber = routingNumber
        self.accountNumber = accountNumber
        self.layout = layout
        self.payeeMatch = payeeMatch
        self.createdAt = createdAt
    }

    /// The answer for a request naming an account that is unknown or another merchant's: bad input
    /// at `field`, never a hint that the account exists.
    public static func unknownProblem(field: String = "account_id") -> PaymentError.FieldError {
        .init(field: field, code: "unknown_account", message: "is not an enrolled account of this merchant")
    }

    /// The last four digits, as operators and merchants see the account.
    public var maskedAccountNumber: String { "****" + accountNumber.suffix(4) }

    /// Validates an enrolment: a routing number with a good check digit, an account number of
    /// digits the layout can hold. Reports every problem at once.
    public static func enrol(merchantID: String, routingNumber: String, accountNumber: String, layout: PositivePayLayout,
                             payeeMatch: Bool, at now: Date = Date()) throws(PaymentError) -> CheckAccount {
        var errors: [PaymentError.FieldError] = []
        if !RoutingNumber.isValid(routingNumber) {
            errors.append(.init(field: "routing_number", code: "invalid_routing_number",
                                message: "must be 9 digits with a valid ABA check digit"))
        }
        let digits = accountNumber.utf8
        if digits.isEmpty || digits.count > layout.maximumAccountNumberLength || !digits.allSatisfy({ (0x30...0x39).contains($0) }) {
            errors.append(.init(field: "account_number", code: "invalid",
                                message: "must be 1 to \(layout.maximumAccountNumberLength) digits for the \(layout) layout"))
        }
        guard errors.isEmpty else { throw PaymentError(.invalidRequest, "the check account is invalid", fieldErrors: errors) }
        return CheckAccount(id: Identifier.make(prefix: "acc", at: now), merchantID: merchantID, routingNumber: routingNumber,
                            accountNumber: accountNumber, layout: layout, payeeMatch: payeeMatch, createdAt: now)
    }
}

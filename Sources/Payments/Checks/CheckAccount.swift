import Foundation
import NACHA

/// A merchant's checking account enrolled in Positive Pay: where its checks are drawn, and the
/// layout its bank takes issue files in.
public struct CheckAccount: Sendable, Hashable, Identifiable {
    public static let idPrefix = "acc"
    public var id: String
    public var merchantID: String
    public var routingNumber: String
    /// Digits only; never shown whole (`maskedAccountNumber`).
    public var accountNumber: String
    public var layout: PositivePayLayout
    /// Payee positive pay: every check names its payee, and the bank matches it.
    public var payeeMatch: Bool
    public var createdAt: Date
    /// When an operator disabled it: no new checks, and bank files no longer match it.
    public var disabledAt: Date?

    public init(id: String, merchantID: String, routingNumber: String, accountNumber: String, layout: PositivePayLayout,
                payeeMatch: Bool, createdAt: Date, disabledAt: Date? = nil) {
        self.id = id
        self.merchantID = merchantID
        self.routingNumber = routingNumber
        self.accountNumber = accountNumber
        self.layout = layout
        self.payeeMatch = payeeMatch
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }

    public var isEnabled: Bool { disabledAt == nil }

    /// The number as banks match it: leading zeros are not significant (`000123456789` is `123456789`).
    public var matchingNumber: String { CheckIssue.matchingSerial(accountNumber) }

    /// The answer for enrolling an account that `enrolled` (the enabled accounts at its routing
    /// number) already holds under the same matching number, whatever the merchant: nil when there
    /// is none. It names the existing enrolment, so an operator can find it (and disable it).
    public func enrolmentConflict(with enrolled: [CheckAccount]) -> PaymentError? {
        guard let existing = enrolled.first(where: {
            $0.isEnabled && $0.id != id && $0.routingNumber == routingNumber && $0.matchingNumber == matchingNumber
        }) else { return nil }
        return PaymentError(.duplicateAccount, "account \(maskedAccountNumber) at routing \(routingNumber) is already enrolled as "
                            + "\(existing.id) (merchant \(existing.merchantID), \(existing.maskedAccountNumber)); leading zeros do not "
                            + "make another account. Disable that enrolment first (metl checks accounts disable \(existing.id))")
    }

    /// Disables the account as of `now`; one already disabled is refused.
    public func disabled(at now: Date) throws(PaymentError) -> CheckAccount {
        guard isEnabled else { throw PaymentError(.invalidStatus, "check account \(id) is already disabled") }
        var account = self
        account.disabledAt = now
        return account
    }

    /// The answer for a check on a disabled account.
    public static func disabledProblem(field: String = "account_id") -> PaymentError.FieldError {
        .init(field: field, code: "disabled_account", message: "is a disabled account: it takes no new checks")
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
        return CheckAccount(id: Identifier.make(prefix: CheckAccount.idPrefix, at: now), merchantID: merchantID, routingNumber: routingNumber,
                            accountNumber: accountNumber, layout: layout, payeeMatch: payeeMatch, createdAt: now)
    }
}

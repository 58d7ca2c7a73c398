import Foundation

/// The receiver of a credit or the payer of a debit.
public struct Counterparty: Sendable, Hashable, Codable {
    public var name: String
    public var routingNumber: String
    public var accountNumber: String
    public var accountType: AccountType

    public init(name: String, routingNumber: String, accountNumber: String, accountType: AccountType) {
        self.name = name
        self.routingNumber = routingNumber
        self.accountNumber = accountNumber
        self.accountType = accountType
    }

    /// The account number as shown outside the ledger: only its last four characters.
    public var maskedAccountNumber: String { Self.mask(accountNumber) }

    /// Any account number as shown outside the ledger: stars, then its last four characters.
    public static func mask(_ accountNumber: String) -> String {
        String(repeating: "*", count: max(0, accountNumber.count - 4)) + accountNumber.suffix(4)
    }
}

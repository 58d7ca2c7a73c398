import Foundation
import NACHA

/// A check issue as merchants, operators and scripts see it; the CLI's `--json` and the HTTP API
/// print exactly this shape.
public struct CheckDocument: Sendable, Hashable, Codable {
    public var id: String
    public var merchantID: String
    public var accountID: String
    public var serial: String
    public var amount: Int64
    public var issueDate: String
    public var payee: String
    public var metadata: [String: String]
    public var state: String
    public var version: Int
    public var failure: Failure?
    public var issueFileID: String?
    public var voidRequestedAt: String?
    public var voidFileID: String?
    public var createdAt: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, merchantID = "merchant_id", accountID = "account_id", serial, amount, issueDate = "issue_date", payee, metadata, state,
             version, failure, issueFileID = "issue_file_id", voidRequestedAt = "void_requested_at", voidFileID = "void_file_id",
             createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(_ check: CheckIssue) {
        id = check.id
        merchantID = check.merchantID
        accountID = check.accountID
        serial = check.serial
        amount = check.amount
        issueDate = check.issueDate.description
        payee = check.payee
        metadata = check.metadata
        state = check.state.rawValue
        version = check.version
        failure = check.failure
        issueFileID = check.issueRecord?.fileID
        voidRequestedAt = check.voidRequestedAt.map(Timestamp.format)
        voidFileID = check.voidRecord?.fileID
        createdAt = Timestamp.format(check.createdAt)
        updatedAt = Timestamp.format(check.updatedAt)
    }
}

/// An enrolled account as it is shown: the account number masked to its last four digits.
public struct CheckAccountDocument: Sendable, Hashable, Codable {
    public var id: String
    public var merchantID: String
    public var routingNumber: String
    public var accountNumber: String
    public var layout: String
    public var payeeMatch: Bool
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, merchantID = "merchant_id", routingNumber = "routing_number", accountNumber = "account_number", layout,
             payeeMatch = "payee_match", createdAt = "created_at"
    }

    public init(_ account: CheckAccount) {
        id = account.id
        merchantID = account.merchantID
        routingNumber = account.routingNumber
        accountNumber = account.maskedAccountNumber
        layout = account.layout.rawValue
        payeeMatch = account.payeeMatch
        createdAt = Timestamp.format(account.createdAt)
    }
}

import Foundation
import NACHA

/// A check a merchant wrote and registered, as the ledger holds it. It moves through the `P_*`
/// states by `CheckStateMachine`'s table, and every change leaves a history row.
public struct CheckIssue: Sendable, Hashable, Identifiable {
    public static let idPrefix = "chk"
    /// Where a record for this check went: the outbound file and the record's line.
    public struct Placement: Sendable, Hashable {
        public var fileID: String
        public var line: Int
        public init(fileID: String, line: Int) {
            self.fileID = fileID
            self.line = line
        }
    }

    public var id: String
    public var merchantID: String
    public var accountID: String
    /// 1–10 digits, without leading zeros: the matching key banks use with the account.
    public var serial: String
    /// Integer cents, always positive.
    public var amount: Int64
    public var issueDate: ACHDate
    /// Upper-cased; empty when the account does not match payees and none was given.
    public var payee: String
    public var metadata: [String: String]
    public var idempotencyKey: String
    public var state: PaymentState
    /// Increases by one with every change; history rows carry the version they produced.
    public var version: Int
    public var failure: Failure?
    /// The issue record, once a cutoff put it in a file.
    public var issueRecord: Placement?
    /// When a void was asked for a check already sent (or bound to a file being sent).
    public var voidRequestedAt: Date?
    /// The void record, once a cutoff put it in a file.
    public var voidRecord: Placement?
    /// The day the bank paid it, once a paid record completed it: a paid record for another day is
    /// another presentment, a discrepancy.
    public var paidOn: ACHDate?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, merchantID: String, accountID: String, serial: String, amount: Int64, issueDate: ACHDate, payee: String,
                metadata: [String: String], idempotencyKey: String, state: PaymentState, version: Int, failure: Failure? = nil,
                issueRecord: Placement? = nil, voidRequestedAt: Date? = nil, voidRecord: Placement? = nil, paidOn: ACHDate? = nil,
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.merchantID = merchantID
        self.accountID = accountID
        self.serial = serial
        self.amount = amount
        self.issueDate = issueDate
        self.payee = payee
        self.metadata = metadata
        self.idempotencyKey = idempotencyKey
        self.state = state
        self.version = version
        self.failure = failure
        self.issueRecord = issueRecord
        self.voidRequestedAt = voidRequestedAt
        self.voidRecord = voidRecord
        self.paidOn = paidOn
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Live for its serial: no other check of the account may take the serial until this one has failed.
    public var isLive: Bool { state != .failed }

    /// A void to send: asked for, not yet in a file, and the issue record already at the bank.
    public var awaitsVoidRecord: Bool {
        voidRequestedAt != nil && voidRecord == nil && (state == .submittedToCore || state == .processing)
    }

    /// A serial as banks match it: digits with leading zeros removed ("000123" → "123", "0" stays "0").
    public static func matchingSerial(_ digits: some StringProtocol) -> String {
        let trimmed = digits.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}

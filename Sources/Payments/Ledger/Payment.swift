import Foundation
import NACHA

/// A payment as the ledger holds it.
public struct Payment: Sendable, Hashable, Identifiable {
    public static let idPrefix = "pay"
    public var id: String
    public var merchantID: String
    public var state: PaymentState
    /// Increases by one with every state change; history rows carry the version they produced.
    public var version: Int
    /// Integer cents, always positive.
    public var amount: Int64
    public var currency: String
    public var direction: Direction
    public var secCode: StandardEntryClass
    public var description: String
    public var effectiveDate: ACHDate
    public var counterparty: Counterparty
    public var metadata: [String: String]
    public var idempotencyKey: String
    /// Funds held for a credit until it completes or fails.
    public var reservedAmount: Int64
    public var failure: Failure?
    public var createdAt: Date
    public var updatedAt: Date
    /// Where the payment was sent: set once a cutoff binds it to an outbound file.
    public var submission: Submission?
    public var settlement: Settlement
    /// The bank profile the request named; nil: its merchant's, else the default one.
    public var profile: String?
    /// Set when the payment's profile holds it for approval: the approvals it needs and has.
    public var approval: ApprovalCount?

    public init(id: String, merchantID: String, state: PaymentState, version: Int, amount: Int64, currency: String,
                direction: Direction, secCode: StandardEntryClass, description: String, effectiveDate: ACHDate,
                counterparty: Counterparty, metadata: [String: String], idempotencyKey: String, reservedAmount: Int64,
                failure: Failure?, createdAt: Date, updatedAt: Date, submission: Submission? = nil,
                settlement: Settlement = .nextDay, profile: String? = nil, approval: ApprovalCount? = nil) {
        self.approval = approval
        self.id = id
        self.merchantID = merchantID
        self.state = state
        self.version = version
        self.amount = amount
        self.currency = currency
        self.direction = direction
        self.secCode = secCode
        self.description = description
        self.effectiveDate = effectiveDate
        self.counterparty = counterparty
        self.metadata = metadata
        self.idempotencyKey = idempotencyKey
        self.reservedAmount = reservedAmount
        self.failure = failure
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.submission = submission
        self.settlement = settlement
        self.profile = profile
    }
}

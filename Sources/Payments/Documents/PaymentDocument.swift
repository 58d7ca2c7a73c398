import Foundation

/// The payment as merchants, operators and scripts see it: the request fields plus identity, state,
/// version, failure and timestamps. The CLI's `--json` and the HTTP API print exactly this shape.
/// The account number is masked to its last four characters.
public struct PaymentDocument: Sendable, Hashable, Codable {
    public var id: String
    public var merchantID: String
    public var state: String
    public var version: Int
    public var amount: Int64
    public var currency: String
    public var direction: String
    public var secCode: String
    public var description: String
    public var effectiveDate: String
    public var counterparty: PaymentRequest.CounterpartyRequest
    public var metadata: [String: String]
    /// `null` until the payment fails.
    @Nullable public var failure: Failure?
    /// `null` until the payment is in a file.
    @Nullable public var submission: SubmissionDocument?
    public var settlement: String
    /// `null` unless the request named one.
    @Nullable public var profile: String?
    /// `null` unless its profile holds it for approval: the approvals it needs and has.
    @Nullable public var approval: ApprovalCount?
    public var createdAt: String
    public var updatedAt: String

    /// The outbound file and trace number of a submitted payment.
    public struct SubmissionDocument: Sendable, Hashable, Codable {
        public var fileID: String
        public var batchNumber: Int
        public var traceNumber: String
        enum CodingKeys: String, CodingKey {
            case fileID = "file_id", batchNumber = "batch_number", traceNumber = "trace_number"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, merchantID = "merchant_id", state, version, amount, currency, direction, secCode = "sec_code",
             description, effectiveDate = "effective_date", counterparty, metadata, failure, submission, settlement, profile,
             approval, createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(_ payment: Payment) {
        id = payment.id
        merchantID = payment.merchantID
        state = payment.state.rawValue
        version = payment.version
        amount = payment.amount
        currency = payment.currency
        direction = payment.direction.rawValue
        secCode = payment.secCode.rawValue
        description = payment.description
        effectiveDate = payment.effectiveDate.description
        counterparty = .init(name: payment.counterparty.name, routingNumber: payment.counterparty.routingNumber,
                             accountNumber: payment.counterparty.maskedAccountNumber,
                             accountType: payment.counterparty.accountType.rawValue)
        metadata = payment.metadata
        failure = payment.failure
        settlement = payment.settlement.rawValue
        profile = payment.profile
        approval = payment.approval
        // Trace numbers are 15 digits with meaningful leading zeros: printed as the bank prints them.
        submission = payment.submission.map {
            SubmissionDocument(fileID: $0.fileID, batchNumber: $0.batchNumber,
                               traceNumber: $0.traceNumberText)
        }
        createdAt = Timestamp.format(payment.createdAt)
        updatedAt = Timestamp.format(payment.updatedAt)
    }

    /// The document's JSON as the API sends it and the idempotency record keeps it.
    public static func encode(_ payment: Payment) -> Data {
        DocumentJSON.encode(PaymentDocument(payment))
    }
}

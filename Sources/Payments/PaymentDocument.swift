import Foundation
import NACHA

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
    public var failure: Failure?
    public var submission: SubmissionDocument?
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
             description, effectiveDate = "effective_date", counterparty, metadata, failure, submission,
             createdAt = "created_at", updatedAt = "updated_at"
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

    /// `failure` and `submission` are always present: `null` until the payment fails or is submitted.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(merchantID, forKey: .merchantID)
        try container.encode(state, forKey: .state)
        try container.encode(version, forKey: .version)
        try container.encode(amount, forKey: .amount)
        try container.encode(currency, forKey: .currency)
        try container.encode(direction, forKey: .direction)
        try container.encode(secCode, forKey: .secCode)
        try container.encode(description, forKey: .description)
        try container.encode(effectiveDate, forKey: .effectiveDate)
        try container.encode(counterparty, forKey: .counterparty)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(failure, forKey: .failure)
        try container.encode(submission, forKey: .submission)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// One history row as `payments show --json` and `GET /payments/{id}/events` print it.
public struct HistoryDocument: Sendable, Hashable, Codable {
    public var version: Int
    public var fromState: String?
    public var toState: String
    public var actor: String
    public var reasonCode: String
    public var reasonText: String
    public var sourceFile: String?
    public var sourceLine: Int?
    public var createdAt: String
    enum CodingKeys: String, CodingKey {
        case version, fromState = "from_state", toState = "to_state", actor, reasonCode = "reason_code",
             reasonText = "reason_text", sourceFile = "source_file", sourceLine = "source_line", createdAt = "created_at"
    }
    public init(_ entry: HistoryEntry) {
        version = entry.version
        fromState = entry.fromState?.rawValue
        toState = entry.toState.rawValue
        actor = entry.actor.rawValue
        reasonCode = entry.reasonCode
        reasonText = entry.reasonText
        sourceFile = entry.source?.file
        sourceLine = entry.source?.line
        createdAt = Timestamp.format(entry.createdAt)
    }
}

/// The JSON every document goes out as (API bodies, stored first responses): sorted keys, so the same
/// value always encodes to the same bytes, and unescaped slashes.
public enum DocumentJSON {
    public static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            preconditionFailure("documents hold only strings, numbers, booleans, arrays and objects: \(error)")
        }
    }
}

/// RFC 3339 UTC timestamps with milliseconds, the one format metl prints.
public enum Timestamp {
    /// Rounded to the millisecond the ledger stores, so a time printed before and after a round trip
    /// through the database is the same text (formatting alone truncates 0.455 stored as 0.45499…).
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let whole = Date(timeIntervalSince1970: Double(fraction < 0 ? seconds - 1 : seconds))
        let text = whole.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        let digits = String((fraction + 1000) % 1000)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}

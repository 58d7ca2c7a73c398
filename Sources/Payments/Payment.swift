import Foundation
import NACHA

public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Pay out to the counterparty.
    case credit
    /// Collect from the counterparty.
    case debit
}

public enum AccountType: String, Sendable, Hashable, Codable, CaseIterable {
    case checking, savings
}

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
    public var maskedAccountNumber: String {
        String(repeating: "*", count: max(0, accountNumber.count - 4)) + accountNumber.suffix(4)
    }
}

/// Why a payment failed: a stable code (`insufficient_funds`, `R01`, `BH232` …) and a readable message.
public struct Failure: Sendable, Hashable, Codable {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// A payment as the ledger holds it.
public struct Payment: Sendable, Hashable, Identifiable {
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

    public init(id: String, merchantID: String, state: PaymentState, version: Int, amount: Int64, currency: String,
                direction: Direction, secCode: StandardEntryClass, description: String, effectiveDate: ACHDate,
                counterparty: Counterparty, metadata: [String: String], idempotencyKey: String, reservedAmount: Int64,
                failure: Failure?, createdAt: Date, updatedAt: Date, submission: Submission? = nil) {
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
    }
}

/// A payment's outbound file, batch and trace number: what a bank names when it reports on the entry.
/// Also the line of its entry record and the effective entry date of its batch, which settlement
/// reports are matched against.
public struct Submission: Sendable, Hashable, Codable {
    public var fileID: String
    public var batchNumber: Int
    public var traceNumber: Int
    public var line: Int
    public var entryEffectiveDate: ACHDate?
    public init(fileID: String, batchNumber: Int, traceNumber: Int, line: Int, entryEffectiveDate: ACHDate?) {
        self.fileID = fileID
        self.batchNumber = batchNumber
        self.traceNumber = traceNumber
        self.line = line
        self.entryEffectiveDate = entryEffectiveDate
    }

    /// The trace number as banks print it and merchants see it: 15 digits, zero-padded.
    public var traceNumberText: String {
        let digits = String(traceNumber)
        return String(repeating: "0", count: max(0, 15 - digits.count)) + digits
    }
}

/// A merchant: an originator with its company identity in the batch header and a funding balance.
public struct Merchant: Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String
    /// Batch header company identification (10 characters, e.g. `1` + EIN).
    public var companyID: String
    /// Batch header company name (16 characters).
    public var companyName: String
    /// Available funding in cents: funded amounts less credits reserved.
    public var balance: Int64
    public var createdAt: Date

    public init(id: String, name: String, companyID: String, companyName: String, balance: Int64, createdAt: Date) {
        self.id = id
        self.name = name
        self.companyID = companyID
        self.companyName = companyName
        self.balance = balance
        self.createdAt = createdAt
    }
}

/// One append-only history row: the change, who made it, why, and from which file line.
public struct HistoryEntry: Sendable, Hashable {
    public var paymentID: String
    public var version: Int
    public var fromState: PaymentState?
    public var toState: PaymentState
    public var actor: Actor
    public var reasonCode: String
    public var reasonText: String
    public var source: SourceReference?
    public var createdAt: Date

    public init(paymentID: String, version: Int, fromState: PaymentState?, toState: PaymentState, actor: Actor,
                reasonCode: String, reasonText: String, source: SourceReference?, createdAt: Date) {
        self.paymentID = paymentID
        self.version = version
        self.fromState = fromState
        self.toState = toState
        self.actor = actor
        self.reasonCode = reasonCode
        self.reasonText = reasonText
        self.source = source
        self.createdAt = createdAt
    }
}

/// Where a change came from, as its history row records it. Encoded to the stored text (`file`,
/// `line`) here and only here, and decoded from it.
public enum SourceReference: Sendable, Hashable {
    /// An entry of one of our outbound files (`outbound:ID`, the entry's line).
    case outboundFile(id: String, line: Int?)
    /// A bank file we received (`inbound:ID`), at a line or as a whole.
    case inboundFile(id: String, line: Int?)
    /// An HTTP API request, by its Idempotency-Key (`api:idempotency:KEY`).
    case apiRequest(idempotencyKey: String)
    /// Any other request, by its idempotency key (`idempotency:KEY`).
    case request(idempotencyKey: String)
    /// A row of a CSV import (`csv:NAME`, the row's line).
    case csvImport(file: String, line: Int)
    /// An operator's action that names no file or request.
    case `operator`

    /// The stored text naming the file or request.
    public var file: String {
        switch self {
        case .outboundFile(let id, _): "outbound:" + id
        case .inboundFile(let id, _): "inbound:" + id
        case .apiRequest(let key): "api:idempotency:" + key
        case .request(let key): "idempotency:" + key
        case .csvImport(let file, _): "csv:" + file
        case .operator: "operator"
        }
    }

    /// The line in that file, when there is one.
    public var line: Int? {
        switch self {
        case .outboundFile(_, let line), .inboundFile(_, let line): line
        case .csvImport(_, let line): line
        case .apiRequest, .request, .operator: nil
        }
    }

    /// Reads back what `file` and `line` stored; nil for text no version of metl wrote.
    public init?(file: String, line: Int?) {
        func rest(after prefix: String) -> String? { file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : nil }
        if let id = rest(after: "outbound:") {
            self = .outboundFile(id: id, line: line)
        } else if let id = rest(after: "inbound:") {
            self = .inboundFile(id: id, line: line)
        } else if let key = rest(after: "api:idempotency:") {
            self = .apiRequest(idempotencyKey: key)
        } else if let key = rest(after: "idempotency:") {
            self = .request(idempotencyKey: key)
        } else if let name = rest(after: "csv:"), let line {
            self = .csvImport(file: name, line: line)
        } else if file == "operator" {
            self = .operator
        } else {
            return nil
        }
    }
}

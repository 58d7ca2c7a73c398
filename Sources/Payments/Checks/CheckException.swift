import Foundation

/// A presented item the bank could not match to an issued check, as metl keeps it whatever the
/// bank's feed (`ExceptionSource` in Pipeline): what was presented, why it is an exception, what
/// the bank does by default, and until when the company may decide otherwise.
public struct CheckException: Sendable, Hashable, Identifiable {
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        case paidNotIssued = "paid_not_issued"
        case amountMismatch = "amount_mismatch"
        case payeeMismatch = "payee_mismatch"
        case staleDated = "stale_dated"
        case duplicate
        case voided
        case stopped
    }

    /// Pay or return: the company's decision, or the bank's default.
    public enum Decision: String, Sendable, Hashable, Codable, CaseIterable {
        case pay, `return`
    }

    /// `open` until decided; `decided` once a decision is made; `closed` when the bank's report
    /// settles it (or its default applied at the deadline).
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case open, decided, closed

        /// The exception's version at this status (1 open, 2 decided, 3 closed): its events and
        /// its document carry it, so a receiver orders them as it orders a payment's versions. A
        /// closed exception is at 3 whether or not it was decided first.
        public var version: Int {
            switch self {
            case .open: 1
            case .decided: 2
            case .closed: 3
            }
        }
    }

    public var id: String
    /// The bank's own id for the exception, unique per account.
    public var bankReference: String
    public var merchantID: String
    public var accountID: String
    /// The issued check with the presented serial on the account, when there is one.
    public var checkID: String?
    public var serial: String
    public var presentedAmount: Int64
    public var issuedAmount: Int64?
    public var presentedPayee: String
    public var reason: Reason
    public var defaultDecision: Decision
    public var deadline: Date
    public var status: Status
    /// The inbound file and line that raised it.
    public var source: SourceReference
    public var createdAt: Date

    public init(id: String, bankReference: String, merchantID: String, accountID: String, checkID: String?, serial: String,
                presentedAmount: Int64, issuedAmount: Int64?, presentedPayee: String, reason: Reason, defaultDecision: Decision,
                deadline: Date, status: Status, source: SourceReference, createdAt: Date) {
        self.id = id
        self.bankReference = bankReference
        self.merchantID = merchantID
        self.accountID = accountID
        self.checkID = checkID
        self.serial = serial
        self.presentedAmount = presentedAmount
        self.issuedAmount = issuedAmount
        self.presentedPayee = presentedPayee
        self.reason = reason
        self.defaultDecision = defaultDecision
        self.deadline = deadline
        self.status = status
        self.source = source
        self.createdAt = createdAt
    }
}

extension CheckException {
    /// The decision the bank acts on at `status`, given the company's decision on the exception
    /// (if one was made): none while open; the company's once decided; at closing, the company's
    /// when it reached the bank in time (it did not fail), otherwise the bank's default.
    public static func applied(at status: Status, company decision: ExceptionDecision?, default fallback: Decision)
        -> (decision: Decision, made: ExceptionDecision?)? {
        switch status {
        case .open: return nil
        case .decided: return decision.map { ($0.decision, $0) }
        case .closed:
            if let decision, decision.failure == nil { return (decision.decision, decision) }
            return (fallback, nil)
        }
    }

    /// The decision the bank acts on now (see `applied(at:company:default:)`).
    public func applied(company decision: ExceptionDecision?) -> (decision: Decision, made: ExceptionDecision?)? {
        Self.applied(at: status, company: decision, default: defaultDecision)
    }
}

/// An exception as the bank reports it, before it is matched to our accounts and checks.
public struct PresentedException: Sendable, Hashable {
    public var bankReference: String
    public var accountNumber: String
    public var serial: String
    public var presentedAmount: Int64
    public var issuedAmount: Int64?
    public var payee: String
    public var reason: CheckException.Reason
    public var defaultDecision: CheckException.Decision
    public var deadline: Date

    public init(bankReference: String, accountNumber: String, serial: String, presentedAmount: Int64, issuedAmount: Int64?,
                payee: String, reason: CheckException.Reason, defaultDecision: CheckException.Decision, deadline: Date) {
        self.bankReference = bankReference
        self.accountNumber = accountNumber
        self.serial = serial
        self.presentedAmount = presentedAmount
        self.issuedAmount = issuedAmount
        self.payee = payee
        self.reason = reason
        self.defaultDecision = defaultDecision
        self.deadline = deadline
    }
}

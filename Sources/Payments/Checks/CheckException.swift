import Foundation

/// A presented item the bank could not match to an issued check, as metl keeps it whatever the
/// bank's feed (`ExceptionSource` in Pipeline): what was presented, why it is an exception, what
/// the bank does by default, and until when the company may decide otherwise.
public struct CheckException: Sendable, Hashable, Identifiable {
    public static let idPrefix = "exc"
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        case paidNotIssued = "paid_not_issued"
        case amountMismatch = "amount_mismatch"
        case payeeMismatch = "payee_mismatch"
        case staleDated = "stale_dated"
        case duplicate
        case voided
        case stopped

        /// Whether the presented item is the issued check itself, so that returning it fails the
        /// check: not for a duplicate presentment, whose return sends back the copy while the genuine
        /// check stays as it is (and its own paid record still completes it).
        public var presentsTheIssuedCheck: Bool { self != .duplicate && self != .paidNotIssued }
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

extension PresentedException {
    /// The longest bank id kept: it goes back to the bank in the decision file.
    public static let maximumReferenceLength = 64
    /// The largest presented or issued amount taken from a bank's exception, in cents
    /// ($999,999,999.99): past any check a merchant writes, and far inside what sums of them hold.
    public static let maximumAmount: Int64 = 99_999_999_999

    /// Why this exception cannot be recorded as the bank sent it, or nil. What goes back to the bank
    /// in a decision file (its id, account number, serial, amount) must be writable there, so it is
    /// judged now, when only this record is refused, rather than when a decision file would fail
    /// for every decision in it.
    public func problem(at now: Date) -> String? {
        func ascii(_ text: String, _ allowed: (UInt8) -> Bool) -> Bool { text.utf8.allSatisfy(allowed) }
        let isDigit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        if bankReference.isEmpty || bankReference.utf8.count > Self.maximumReferenceLength
            || !ascii(bankReference, { isDigit($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || Array("-_.:/".utf8).contains($0) }) {
            return "exception_id must be 1 to \(Self.maximumReferenceLength) letters, digits or - _ . : /"
        }
        if accountNumber.isEmpty || accountNumber.utf8.count > 20 || !ascii(accountNumber, isDigit) {
            return "account_number must be 1 to 20 ASCII digits"
        }
        if serial.isEmpty || serial.utf8.count > 18 || !ascii(serial, isDigit) { return "serial must be 1 to 18 ASCII digits" }
        if !(1...Self.maximumAmount).contains(presentedAmount) {
            return "presented_amount must be 1 to \(Self.maximumAmount) cents"
        }
        if let issuedAmount, !(1...Self.maximumAmount).contains(issuedAmount) {
            return "issued_amount must be 1 to \(Self.maximumAmount) cents, or empty"
        }
        if payee.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) || payee.count > 80 {
            return "payee must be at most 80 characters without control characters"
        }
        if deadline <= now { return "decision_deadline \(Timestamp.format(deadline)) has already passed; the bank's default applies" }
        return nil
    }
}

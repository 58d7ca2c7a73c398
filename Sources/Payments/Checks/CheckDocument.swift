import Foundation

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
    @Nullable public var failure: Failure?
    @Nullable public var issueFileID: String?
    @Nullable public var voidRequestedAt: String?
    @Nullable public var voidFileID: String?
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
    @Nullable public var disabledAt: String?

    enum CodingKeys: String, CodingKey {
        case id, merchantID = "merchant_id", routingNumber = "routing_number", accountNumber = "account_number", layout,
             payeeMatch = "payee_match", createdAt = "created_at", disabledAt = "disabled_at"
    }

    public init(_ account: CheckAccount) {
        id = account.id
        merchantID = account.merchantID
        routingNumber = account.routingNumber
        accountNumber = account.maskedAccountNumber
        layout = account.layout.rawValue
        payeeMatch = account.payeeMatch
        createdAt = Timestamp.format(account.createdAt)
        disabledAt = account.disabledAt.map(Timestamp.format)
    }
}

/// An exception as it is shown: what was presented, why, the default and the deadline.
public struct CheckExceptionDocument: Sendable, Hashable, Codable {
    public var id: String
    public var bankReference: String
    public var merchantID: String
    public var accountID: String
    @Nullable public var checkID: String?
    public var serial: String
    public var presentedAmount: Int64
    @Nullable public var issuedAmount: Int64?
    public var presentedPayee: String
    public var reason: String
    public var defaultDecision: String
    public var decisionDeadline: String
    public var status: String
    /// 1 open, 2 decided, 3 closed, as the exception's webhooks number them.
    public var version: Int
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, bankReference = "bank_reference", merchantID = "merchant_id", accountID = "account_id", checkID = "check_id", serial,
             presentedAmount = "presented_amount", issuedAmount = "issued_amount", presentedPayee = "presented_payee", reason,
             defaultDecision = "default_decision", decisionDeadline = "decision_deadline", status, version, createdAt = "created_at"
    }

    public init(_ exception: CheckException) {
        id = exception.id
        bankReference = exception.bankReference
        merchantID = exception.merchantID
        accountID = exception.accountID
        checkID = exception.checkID
        serial = exception.serial
        presentedAmount = exception.presentedAmount
        issuedAmount = exception.issuedAmount
        presentedPayee = exception.presentedPayee
        reason = exception.reason.rawValue
        defaultDecision = exception.defaultDecision.rawValue
        decisionDeadline = Timestamp.format(exception.deadline)
        status = exception.status.rawValue
        version = exception.status.version
        createdAt = Timestamp.format(exception.createdAt)
    }
}

/// A decision as it is shown.
public struct ExceptionDecisionDocument: Sendable, Hashable, Codable {
    public var id: String
    public var exceptionID: String
    public var decision: String
    @Nullable public var returnReason: String?
    public var state: String
    public var version: Int
    @Nullable public var fileID: String?
    public var createdAt: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, exceptionID = "exception_id", decision, returnReason = "return_reason", state, version, fileID = "file_id",
             createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(_ decision: ExceptionDecision) {
        id = decision.id
        exceptionID = decision.exceptionID
        self.decision = decision.decision.rawValue
        returnReason = decision.returnReason
        state = decision.state.rawValue
        version = decision.version
        fileID = decision.record?.fileID
        createdAt = Timestamp.format(decision.createdAt)
        updatedAt = Timestamp.format(decision.updatedAt)
    }
}

/// The decision request document: `{"decision": "pay"|"return", "return_reason": "…"}`.
public struct DecisionRequest: Sendable, Hashable, Codable, ShapeChecked {
    public var decision: String
    public var returnReason: String?
    var shapeProblems: [PaymentError.FieldError] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case decision, returnReason = "return_reason"
    }

    public init(from decoder: any Decoder) throws {
        var fields = try DocumentFields(decoder, CodingKeys.self)
        decision = fields.required(String.self, .decision) ?? ""
        returnReason = fields.optional(String.self, .returnReason)
        shapeProblems = fields.problems
    }

    /// The decision named, or every problem of the document in one answer.
    public func validated() throws(PaymentError) -> CheckException.Decision {
        let parsed = CheckException.Decision(rawValue: decision)
        var errors: [PaymentError.FieldError] = []
        if parsed == nil { errors.append(.init(field: "decision", code: "invalid", message: "must be pay or return")) }
        try requireValid(errors, headline: "the decision is invalid")
        // nil only with the finding above.
        guard let parsed else { throw PaymentError(.invalidRequest, "the decision is invalid", fieldErrors: errors) }
        return parsed
    }
}

import Foundation

/// One approver's decision on an item held for approval: who, when, and the SHA-256 of what they
/// saw (a file's archived bytes, a payment's `approvalDigest`). Recorded once, never changed.
public struct Approval: Sendable, Hashable, Identifiable {
    public static let idPrefix = "apr"

    /// What is approved.
    public enum Subject: String, Sendable, Hashable, Codable, CaseIterable {
        case payment, file
    }

    public enum Decision: String, Sendable, Hashable, Codable, CaseIterable {
        case approved, rejected
    }

    public var id: String
    public var subject: Subject
    public var subjectID: String
    /// The item's approvals given before it, plus one: 1 for the first decision, 2 for the next
    /// (a rejection ends the item, so it is always the last). Stores keep it unique per item, so
    /// two decisions racing each other cannot both be the same one: the later write is a
    /// conflict, plans again, and counts on top of the first.
    public var ordinal: Int
    public var operatorName: String
    public var decision: Decision
    public var sha256: String
    /// Why, for a rejection.
    public var reason: String?
    public var at: Date

    public init(id: String, subject: Subject, subjectID: String, ordinal: Int, operatorName: String, decision: Decision, sha256: String,
                reason: String?, at: Date) {
        self.id = id
        self.subject = subject
        self.subjectID = subjectID
        self.ordinal = ordinal
        self.operatorName = operatorName
        self.decision = decision
        self.sha256 = sha256
        self.reason = reason
        self.at = at
    }
}

/// How far an item held for approval has come: the approvals it needs (fixed when it was held, so a
/// later change of the policy does not release it) and those given.
public struct ApprovalCount: Sendable, Hashable, Codable {
    public var required: Int
    public var given: Int

    public init(required: Int, given: Int = 0) {
        self.required = required
        self.given = given
    }

    public var isComplete: Bool { given >= required }
}

extension PaymentError.Code {
    /// The failure code of a payment an approver rejected.
    public static let rejectedByApprover = PaymentError.Code(rawValue: "rejected_by_approver")
}

/// What a change set says about itself in the audit log: who, what, to which items, and a detail
/// (a job's configuration digest or outcome). The rows it wrote are found and digested by the store.
public struct AuditRecord: Sendable, Hashable {
    /// Nil: the actor of the first row the change set wrote.
    public var actor: Actor?
    public var action: AuditAction
    public var subjects: [String]
    public var detail: String

    /// At most this many subject ids are listed; a file's 100,000 payments are named by the file.
    public static let subjectLimit = 100

    public init(actor: Actor? = nil, action: AuditAction, subjects: [String] = [], detail: String = "") {
        self.actor = actor
        self.action = action
        self.subjects = Array(subjects.prefix(Self.subjectLimit))
        self.detail = detail
    }
}

extension LedgerPlan {
    /// The record of persisting this plan: its approvals, its new payments, its file-wide step, its
    /// funds, or else its payments' changes; nil for a plan that changes nothing.
    public var auditRecord: AuditRecord? {
        if newPayments.isEmpty, fileTransitions.isEmpty, updates.isEmpty, history.isEmpty, funds.isEmpty, corrections.isEmpty,
           settledBatches.isEmpty, events.isEmpty, approvals.isEmpty { return nil }
        if !approvals.isEmpty { return AuditRecord(action: .approval, subjects: approvals.map(\.subjectID)) }
        if !newPayments.isEmpty { return AuditRecord(action: .intake, subjects: newPayments.map(\.payment.id)) }
        if !fileTransitions.isEmpty { return AuditRecord(action: .fileChanged, subjects: fileTransitions.map(\.fileID)) }
        if history.isEmpty, !funds.isEmpty { return AuditRecord(action: .funding, subjects: funds.map(\.merchantID)) }
        var seen = Set<String>()
        return AuditRecord(action: .transition, subjects: history.map(\.requestID).filter { seen.insert($0).inserted })
    }
}

extension AuditRecord {
    /// The record of a file's change: an approver's decision when the plan carries one, else the
    /// file's step, with the statuses it went between.
    public init(fileChange file: OutboundFile, from status: OutboundFileStatus, ledger: LedgerPlan) {
        self = ledger.approvals.isEmpty ? AuditRecord(action: .fileChanged, subjects: [file.id])
            : ledger.auditRecord ?? AuditRecord(action: .approval, subjects: [file.id])
        detail = "file \(file.id): \(status.rawValue) -> \(file.status.rawValue)"
    }
}

extension CheckPlan {
    /// The record of persisting this plan: the checks and exceptions it changes; nil for a plan that changes nothing.
    public var auditRecord: AuditRecord? {
        if newChecks.isEmpty, updates.isEmpty, history.isEmpty, fileTransitions.isEmpty, newExceptions.isEmpty, exceptionChanges.isEmpty,
           newDecisions.isEmpty, decisionUpdates.isEmpty, decisionHistory.isEmpty, events.isEmpty { return nil }
        var seen = Set<String>()
        let subjects = (newChecks.map(\.check.id) + history.map(\.requestID) + newDecisions.map(\.exceptionID)
                        + exceptionChanges.map(\.exceptionID)).filter { seen.insert($0).inserted }
        return AuditRecord(action: .checks, subjects: subjects)
    }
}

extension OperatorChange {
    /// The record of an operator's enrolment or change.
    public var auditRecord: AuditRecord { AuditRecord(actor: actor, action: .operatorChanged, subjects: [operatorID], detail: change) }
}

import Foundation

/// What an approver's decision did: the decision recorded, and the item as it is after.
public struct ApprovalOutcome: Sendable {
    public enum Item: Sendable {
        case payment(Payment)
        case file(OutboundFile)
    }

    public var approval: Approval
    public var item: Item
}

/// Approving and rejecting, once for every store: read the item, its earlier decisions and its
/// makers; check the rules (`ApprovalReview`); plan the decision with what it releases; persist
/// both in one write, which a decision racing this one (the same ordinal) refuses, so it is read
/// and counted again.
extension OutboundFileStore where Self: PaymentStore & CheckStore & ApprovalStore {
    /// `approver`'s decision on payment `pay_…` or outbound file `fil_…` (or its name). `seen`, when
    /// given, is the SHA-256 the approver was shown; `reason` is required to reject.
    public func decide(_ decision: Approval.Decision, on id: String, by approver: Operator, seen: String? = nil, reason: String? = nil,
                       at now: Date) async throws -> ApprovalOutcome {
        if decision == .rejected, (reason ?? "").allSatisfy(\.isWhitespace) {
            throw PaymentError(.invalidRequest, "a rejection says why (--reason)")
        }
        return try await Replanning.run {
            if id.hasPrefix(Payment.idPrefix + "_") {
                return try await decidePayment(decision, id, by: approver, seen: seen, reason: reason, at: now)
            }
            return try await decideFile(decision, id, by: approver, seen: seen, reason: reason, at: now)
        }
    }

    private func decidePayment(_ decision: Approval.Decision, _ id: String, by approver: Operator, seen: String?, reason: String?,
                               at now: Date) async throws -> ApprovalOutcome {
        let payment = try await payment(id: id)
        let maker = try await history(paymentID: payment.id).first?.actor.rawValue
        let item = ApprovalReview.Item(description: "payment \(payment.id)", count: payment.approval, held: payment.state == .created,
                                       deadline: nil, makers: Set([maker].compactMap { $0 }),
                                       earlier: try await approvals(subjectIDs: [payment.id]), sha256: payment.approvalDigest)
        let approval = Approval(id: Identifier.make(prefix: Approval.idPrefix), subject: .payment, subjectID: payment.id,
                                ordinal: try ApprovalReview.check(decision, on: item, by: approver, seen: seen, at: now),
                                operatorName: approver.name, decision: decision, sha256: item.sha256, reason: reason, at: now)
        var planner = LedgerPlanner(now: now, endpoints: try await enabledEndpoints(merchants: [payment.merchantID]))
        let decided = switch decision {
        case .approved: try planner.approve(payment, approval, balance: try await merchant(payment.merchantID).balance)
        case .rejected: try planner.reject(payment, approval)
        }
        try await persist(planner.plan)
        return ApprovalOutcome(approval: approval, item: .payment(decided))
    }

    private func decideFile(_ decision: Approval.Decision, _ id: String, by approver: Operator, seen: String?, reason: String?,
                            at now: Date) async throws -> ApprovalOutcome {
        let read = try await outboundFile(id: id)
        let item = ApprovalReview.Item(description: "file \(read.name)", count: read.approval, held: read.status == .awaitingApproval,
                                       deadline: read.approvalDeadline, makers: try await fileMakers(fileID: read.id),
                                       earlier: try await approvals(subjectIDs: [read.id]), sha256: read.sha256)
        let approval = Approval(id: Identifier.make(prefix: Approval.idPrefix), subject: .file, subjectID: read.id,
                                ordinal: try ApprovalReview.check(decision, on: item, by: approver, seen: seen, at: now),
                                operatorName: approver.name, decision: decision, sha256: item.sha256, reason: reason, at: now)
        let file: OutboundFile
        switch decision {
        case .approved:
            var approved = read
            try approved.countApproval(at: now)
            var ledger = LedgerPlanner(now: now, endpoints: [:])
            ledger.record(approval)
            try await recordFileChange(approved, from: read.status, ledger: ledger.plan, checks: CheckPlan())
            file = approved
        case .rejected:
            file = try await stop(read, actor: approver.actor, reason: "rejected by \(approver.name): \(reason ?? "")", recording: approval,
                                  at: now) { (file: inout OutboundFile) throws(PaymentError) in
                try file.stopHeld(.rejected, reason: "rejected by \(approver.name): \(reason ?? "")", at: now)
            }
        }
        return ApprovalOutcome(approval: approval, item: .file(file))
    }

    /// Held files whose approval window closed at or before `now`, among `files`: each expired (its
    /// items released for the next window's file) and returned.
    public func expireHeld(_ files: [OutboundFile], actor: Actor, at now: Date) async throws -> [OutboundFile] {
        var expired: [OutboundFile] = []
        for held in files where held.status == .awaitingApproval {
            guard let deadline = held.approvalDeadline, deadline <= now else { continue }
            let count = held.approval ?? ApprovalCount(required: 0)
            let reason = "approval_expired: \(count.given) of \(count.required) approvals when its window closed at \(Timestamp.format(deadline))"
            expired.append(try await Replanning.run {
                try await stop(try await outboundFile(id: held.id), actor: actor, reason: reason, recording: nil, at: now) {
                    (file: inout OutboundFile) throws(PaymentError) in try file.stopHeld(.expired, reason: reason, at: now)
                }
            })
        }
        return expired
    }
}

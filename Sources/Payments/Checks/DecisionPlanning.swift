import Foundation

/// Decisions on exceptions, planned into the same `CheckPlan` as the checks they concern.
extension CheckPlanner {
    /// Pay or return `exception`, before its deadline: a decision created and validated (two history
    /// rows), and the exception `decided`. A return needs its reason; a decided or closed exception,
    /// or one whose deadline has passed, is refused.
    public mutating func decide(_ exception: CheckException, _ decision: CheckException.Decision, returnReason: String?,
                                actor: Actor, source: SourceReference?) throws(PaymentError) -> ExceptionDecision {
        let reason = returnReason.map { ASCIIText.uppercased(ASCIIText.trimmingSpaces($0)) }.flatMap { $0.isEmpty ? nil : $0 }
        switch decision {
        case .return:
            guard let reason else {
                throw PaymentError(.invalidRequest, "the decision is invalid",
                                   fieldErrors: [.init(field: "return_reason", code: "required", message: "is required to return an item")])
            }
            guard reason.utf8.count <= 40, reason.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x2C && $0 != 0x22 }) else {
                throw PaymentError(.invalidRequest, "the decision is invalid", fieldErrors: [
                    .init(field: "return_reason", code: "invalid", message: "must be at most 40 printable characters, without commas or quotes"),
                ])
            }
        case .pay:
            guard reason == nil else {
                throw PaymentError(.invalidRequest, "the decision is invalid",
                                   fieldErrors: [.init(field: "return_reason", code: "not_allowed", message: "is only for a return")])
            }
        }
        guard exception.status == .open else {
            throw PaymentError(.invalidStatus, "exception \(exception.id) is \(exception.status.rawValue); it cannot be decided again")
        }
        guard now < exception.deadline else {
            throw PaymentError(.deadlinePassed, "the deadline of exception \(exception.id) was \(Timestamp.format(exception.deadline)); "
                               + "the bank applies its default (\(exception.defaultDecision.rawValue))")
        }
        let id = Identifier.make(prefix: "dec", at: now)
        let made = ExceptionDecision(id: id, exceptionID: exception.id, merchantID: exception.merchantID, decision: decision,
                                     returnReason: reason, state: .validated, version: 2, createdAt: now, updatedAt: now)
        try DecisionStateMachine.table.check(id, from: .created, to: .validated)
        plan.newDecisions.append(made)
        plan.decisionHistory += [
            HistoryEntry(requestID: id, version: 1, fromState: nil, toState: .created, actor: actor, reasonCode: "created",
                         reasonText: "\(decision.rawValue) decision for exception \(exception.id)", source: source, createdAt: now),
            HistoryEntry(requestID: id, version: 2, fromState: .created, toState: .validated, actor: actor, reasonCode: "validated",
                         reasonText: "made before the deadline on an open exception", source: source, createdAt: now),
        ]
        plan.exceptionChanges.append(CheckPlan.ExceptionChange(exceptionID: exception.id, from: .open, to: .decided))
        announce(exception, at: .decided)
        return made
    }

    /// An exception at its deadline with no decision at the bank (none made, or `unsent` still
    /// waiting for a decision file): closed with the bank's default decision, recorded as such in the
    /// history of the check it names; an unsent decision fails, `deadline_passed`.
    public mutating func applyDefault(to exception: CheckException, check: CheckIssue?, unsent: ExceptionDecision?, actor: Actor) {
        plan.exceptionChanges.append(CheckPlan.ExceptionChange(exceptionID: exception.id, from: exception.status, to: .closed))
        announce(exception, at: .closed)
        if let unsent, unsent.state == .validated, unsent.record == nil {
            var failed = unsent
            failed.state = .failed
            failed.version += 1
            failed.failure = Failure(code: "deadline_passed", message: "not sent before the deadline; the bank applied its default")
            failed.updatedAt = now
            plan.decisionUpdates.append(CheckPlan.DecisionUpdate(decision: failed, expectedVersion: unsent.version, expectedFileID: nil))
            plan.decisionHistory.append(HistoryEntry(
                requestID: unsent.id, version: failed.version, fromState: .validated, toState: .failed, actor: actor,
                reasonCode: "deadline_passed", reasonText: failed.failure?.message ?? "", source: nil, createdAt: now))
        }
        guard let check else { return }
        note(check, code: "default_decision", text: "exception \(exception.id) was not decided by its deadline; "
             + "the bank applied its default: \(exception.defaultDecision.rawValue)", actor: actor, source: exception.source)
    }

    /// Puts a validated decision's record in a rendered decision file, at `line`.
    public mutating func bind(_ decision: ExceptionDecision, fileID: String, line: Int) throws(PaymentError) {
        guard decision.state == .validated, decision.record == nil else {
            throw PaymentError(.invalidStatus, "decision \(decision.id) is no longer an unsent P_VALIDATED decision")
        }
        var bound = decision
        bound.record = CheckIssue.Placement(fileID: fileID, line: line)
        plan.decisionUpdates.append(CheckPlan.DecisionUpdate(decision: bound, expectedVersion: decision.version, expectedFileID: nil))
    }

    /// The bank has the decision file: each decision in it P_VALIDATED → P_SUBMITTED_TO_CORE.
    public mutating func confirmUpload(of file: OutboundFile, decisions: [ExceptionDecision], actor: Actor) throws(PaymentError) {
        for decision in decisions {
            guard let record = decision.record, record.fileID == file.id else { continue }
            try DecisionStateMachine.table.check(decision.id, from: decision.state, to: .submittedToCore)
            var sent = decision
            sent.state = .submittedToCore
            sent.version += 1
            sent.updatedAt = now
            plan.decisionUpdates.append(CheckPlan.DecisionUpdate(decision: sent, expectedVersion: decision.version, expectedFileID: file.id))
            plan.decisionHistory.append(HistoryEntry(
                requestID: decision.id, version: sent.version, fromState: decision.state, toState: .submittedToCore, actor: actor,
                reasonCode: "file_uploaded", reasonText: "in decision file \(file.name) uploaded to the bank",
                source: .outboundFile(id: file.id, line: record.line), createdAt: now))
        }
    }
}

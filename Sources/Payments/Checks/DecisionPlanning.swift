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

    /// An exception at its deadline, settled with the decision the bank acts on: the company's when
    /// its decision file is at the bank, else the bank's default (a decision still unsent fails,
    /// `deadline_passed`). The exception closes. A company decision at the bank is complete: the bank
    /// applied it at its deadline and nothing can change it after. A returned item fails the live
    /// check it names (`returned`); a paid one is noted, and the bank's paid record for the presented
    /// amount completes the check (`CheckEvent.Kind.paidByDecision`). Returns false, planning
    /// nothing, for an exception not yet due or already closed, or whose decision is in a decision
    /// file still on its way: the file decides, and a later run settles it.
    @discardableResult
    public mutating func settle(_ exception: CheckException, check: CheckIssue?, decision: ExceptionDecision?,
                                actor: Actor) throws(PaymentError) -> Bool {
        guard exception.status != .closed, exception.deadline <= now else { return false }
        if let decision, decision.state == .validated, decision.record != nil { return false }
        var made: ExceptionDecision?
        if let decision, decision.state == .validated {
            try move(decision, to: .failed, failure: Failure(code: Self.deadlinePassedCode,
                                                             message: "not sent before the deadline; the bank applied its default"),
                     source: nil, expectedFileID: nil, actor: actor)
        } else if let decision, decision.state == .submittedToCore {
            try complete(decision, actor: actor)
            made = decision
        }
        plan.exceptionChanges.append(CheckPlan.ExceptionChange(exceptionID: exception.id, from: exception.status, to: .closed))
        announce(exception, at: .closed)
        guard let check else { return true }
        let applied = made?.decision ?? exception.defaultDecision
        let by = made.map { "decision \($0.id)" } ?? "the bank's default"
        if applied == .return, exception.reason.presentsTheIssuedCheck, check.state == .submittedToCore || check.state == .processing {
            let failure = Failure(code: "returned", message: "presented for \(exception.presentedAmount) cents and returned by \(by) "
                                  + "on exception \(exception.id)")
            try apply([TransitionStep(to: .failed, actor: actor, reasonCode: failure.code, reasonText: failure.message,
                                      source: exception.source, failure: failure)], to: check)
        } else {
            note(check, code: made == nil ? "default_decision" : "decision_applied",
                 text: "exception \(exception.id) settled at its deadline: the bank applied \(by): \(applied.rawValue)", actor: actor,
                 source: exception.source)
        }
        return true
    }

    /// A decision the bank applied: P_SUBMITTED_TO_CORE → P_PROCESSING → P_COMPLETED.
    private mutating func complete(_ decision: ExceptionDecision, actor: Actor) throws(PaymentError) {
        let source = decision.record.map { SourceReference.outboundFile(id: $0.fileID, line: $0.line) }
        var done = decision
        for (state, code, text) in [(PaymentState.processing, "deadline_reached", "the deadline passed with the decision at the bank"),
                                    (.completed, "applied", "the bank applied the decision at its deadline")] {
            try DecisionStateMachine.table.check(decision.id, from: done.state, to: state)
            let from = done.state
            done.state = state
            done.version += 1
            plan.decisionHistory.append(HistoryEntry(requestID: decision.id, version: done.version, fromState: from, toState: state,
                                                     actor: actor, reasonCode: code, reasonText: text, source: source, createdAt: now))
        }
        done.updatedAt = now
        plan.decisionUpdates.append(CheckPlan.DecisionUpdate(decision: done, expectedVersion: decision.version,
                                                             expectedFileID: decision.record?.fileID))
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

    /// The bank has the decision file, as of now (the moment the upload was confirmed): each decision
    /// in it whose exception's deadline (in `deadlines`, by exception id) is still ahead goes
    /// P_VALIDATED → P_SUBMITTED_TO_CORE. A decision that reached the bank at or after its deadline
    /// does not count, however early it was made: the bank applied its default, so it fails
    /// `deadline_passed`, and settling the exception records the default.
    public mutating func confirmUpload(of file: OutboundFile, decisions: [ExceptionDecision], deadlines: [String: Date],
                                       actor: Actor) throws(PaymentError) {
        for decision in decisions {
            guard let record = decision.record, record.fileID == file.id else { continue }
            let source = SourceReference.outboundFile(id: file.id, line: record.line)
            if let deadline = deadlines[decision.exceptionID], deadline <= now {
                try move(decision, to: .failed, failure: Failure(
                    code: Self.deadlinePassedCode, message: "decision file \(file.name) reached the bank at \(Timestamp.format(now)), after "
                        + "the deadline \(Timestamp.format(deadline)); the bank applied its default"),
                         source: source, expectedFileID: file.id, actor: actor)
            } else {
                try move(decision, to: .submittedToCore, code: "file_uploaded", text: "in decision file \(file.name) uploaded to the bank",
                         source: source, expectedFileID: file.id, actor: actor)
            }
        }
    }

    /// One step of a decision, checked against its table, with its history row: to `failure`'s code
    /// and message when it fails, else to `code` and `text`.
    private mutating func move(_ decision: ExceptionDecision, to state: PaymentState, failure: Failure? = nil, code: String = "",
                               text: String = "", source: SourceReference?, expectedFileID: String?, actor: Actor) throws(PaymentError) {
        try DecisionStateMachine.table.check(decision.id, from: decision.state, to: state)
        var moved = decision
        moved.state = state
        moved.version += 1
        moved.updatedAt = now
        if let failure { moved.failure = failure }
        plan.decisionUpdates.append(CheckPlan.DecisionUpdate(decision: moved, expectedVersion: decision.version, expectedFileID: expectedFileID))
        plan.decisionHistory.append(HistoryEntry(requestID: decision.id, version: moved.version, fromState: decision.state, toState: state,
                                                 actor: actor, reasonCode: failure?.code ?? code, reasonText: failure?.message ?? text,
                                                 source: source, createdAt: now))
    }

    /// A validated decision that the decision file cannot carry (`reason` says which field): it fails
    /// `unwritable`, so no run tries it again, and its exception is settled at the deadline with the
    /// bank's default, unless the company reaches the bank another way first.
    public mutating func refuseUnwritable(_ decision: ExceptionDecision, reason: String, actor: Actor) throws(PaymentError) {
        try move(decision, to: .failed, failure: Failure(code: Self.unwritableCode, message: "left out of the decision file: \(reason); the "
                                                         + "bank applies its default at the deadline unless the decision reaches it another way"),
                 source: nil, expectedFileID: nil, actor: actor)
    }

    /// The failure code of a decision the decision file cannot carry.
    public static let unwritableCode = "unwritable"

    /// The failure code of a decision the bank never acted on: not sent, or not at the bank, before its deadline.
    public static let deadlinePassedCode = "deadline_passed"
}

import Foundation
import NACHA

/// The rules of check issues, in one place: turns each operation into a `CheckPlan` computed from
/// the checks as read. Like `LedgerPlanner`, it keeps each check as the plan leaves it, so several
/// changes to one check in one plan apply in order, and the plan expects the version first read.
public struct CheckPlanner {
    public let now: Date
    public internal(set) var plan = CheckPlan()
    /// Enabled webhook endpoints by merchant: whom each event fans out to.
    private let endpoints: [String: [WebhookEndpoint]]
    private var updateIndex: [String: Int] = [:]
    private var newIndex: [String: Int] = [:]
    /// Keys and live serials taken earlier in this plan.
    private var keys: [String: (check: CheckIssue, fingerprint: String, response: Data?)] = [:]
    private var serials: [String: String] = [:]

    public init(now: Date = Date(), endpoints: [String: [WebhookEndpoint]]) {
        self.now = now
        self.endpoints = endpoints
    }

    /// The check as the plan leaves it so far.
    public func current(_ read: CheckIssue) -> CheckIssue {
        if let index = updateIndex[read.id] { return plan.updates[index].check }
        if let index = newIndex[read.id] { return plan.newChecks[index].check }
        return read
    }

    // MARK: Intake

    /// Takes in one validated check: created, then validated, or failed when its serial is live
    /// for the account, with both history rows. A key already used returns that check, or refuses
    /// a different request. A refusal leaves the plan as it was.
    public mutating func takeIn(_ intake: CheckIntake, as read: CheckIntake.Read) throws(PaymentError) -> CheckIntake.Outcome {
        let scope = intake.merchantID + "\u{0}" + intake.idempotencyKey
        if let earlier = keys[scope] ?? read.existing {
            guard earlier.fingerprint == intake.check.fingerprint else {
                throw PaymentError(.idempotencyKeyReused, "idempotency key \(intake.idempotencyKey) was already used with a different request")
            }
            return CheckIntake.Outcome(check: current(earlier.check), created: false, firstResponse: earlier.response)
        }
        guard let account = read.account, account.merchantID == intake.merchantID else {
            throw PaymentError(.invalidRequest, "the check request is invalid", fieldErrors: [CheckAccount.unknownProblem()])
        }
        let request = intake.check
        let id = Identifier.make(prefix: CheckIssue.idPrefix, at: now)
        let source = intake.source ?? SourceReference.request(idempotencyKey: intake.idempotencyKey)
        var check = CheckIssue(id: id, merchantID: intake.merchantID, accountID: account.id, serial: request.serial,
                               amount: request.amount, issueDate: request.issueDate, payee: request.payee, metadata: request.metadata,
                               idempotencyKey: intake.idempotencyKey, state: .created, version: 1, createdAt: now, updatedAt: now)
        let serialKey = account.id + "\u{0}" + request.serial
        let live = serials[serialKey] ?? read.liveSerial.map(\.id)
        let created = HistoryEntry(requestID: id, version: 1, fromState: nil, toState: .created, actor: intake.actor,
                                   reasonCode: "created", reasonText: "check issue received", source: source, createdAt: now)
        let validation: HistoryEntry
        if let live {
            let failure = Failure(code: "serial_live", message: "serial \(request.serial) is already live for the account (\(live))")
            check.failure = failure
            validation = HistoryEntry(requestID: id, version: 2, fromState: .created, toState: .failed, actor: intake.actor,
                                      reasonCode: failure.code, reasonText: failure.message, source: source, createdAt: now)
        } else {
            validation = HistoryEntry(requestID: id, version: 2, fromState: .created, toState: .validated, actor: intake.actor,
                                      reasonCode: "validated", reasonText: "account enrolled, serial free, amount, payee and date fit",
                                      source: source, createdAt: now)
            serials[serialKey] = id
        }
        try CheckStateMachine.table.check(id, from: .created, to: validation.toState)
        check.state = validation.toState
        check.version = 2
        let response = intake.keepsResponse ? DocumentJSON.encode(CheckDocument(check)) : nil
        newIndex[id] = plan.newChecks.count
        plan.newChecks.append(CheckPlan.NewCheck(check: check, fingerprint: request.fingerprint, response: response))
        plan.history += [created, validation]
        announce(validation, merchantID: check.merchantID)
        keys[scope] = (check, request.fingerprint, response)
        return CheckIntake.Outcome(check: check, created: true, firstResponse: response)
    }

    // MARK: State changes

    /// Checked steps in order, each with its history row.
    @discardableResult
    public mutating func apply(_ steps: [TransitionStep], to read: CheckIssue,
                               change: (inout CheckIssue) -> Void = { _ in }) throws(PaymentError) -> CheckIssue {
        var check = current(read)
        change(&check)
        var entries: [HistoryEntry] = []
        for step in steps {
            try CheckStateMachine.table.check(check.id, from: check.state, to: step.to)
            let from = check.state
            check.state = step.to
            check.version += 1
            if let failure = step.failure { check.failure = failure }
            entries.append(HistoryEntry(requestID: check.id, version: check.version, fromState: from, toState: step.to, actor: step.actor,
                                        reasonCode: step.reasonCode, reasonText: step.reasonText, source: step.source, createdAt: now))
        }
        check.updatedAt = now
        update(read, to: check)
        plan.history += entries
        for entry in entries { announce(entry, merchantID: check.merchantID) }
        return check
    }

    /// A history row without a state change; `change` alters the row where the note records one.
    @discardableResult
    public mutating func note(_ read: CheckIssue, code: String, text: String, actor: Actor, source: SourceReference?,
                              change: (inout CheckIssue) -> Void = { _ in }) -> CheckIssue {
        var check = current(read)
        change(&check)
        check.version += 1
        check.updatedAt = now
        update(read, to: check)
        plan.history.append(HistoryEntry(requestID: check.id, version: check.version, fromState: check.state, toState: check.state,
                                         actor: actor, reasonCode: code, reasonText: text, source: source, createdAt: now))
        return check
    }

    /// What a void asks for, by where the check is: one never sent is cancelled here and now
    /// (`P_FAILED`, `cancelled`); one sent, or in a file on its way, gets a void record in the next
    /// issue file and fails as `voided` when the bank confirms it; a paid check cannot be voided.
    /// Voiding a check already voided, cancelled or awaiting its void returns it as it is.
    public mutating func void(_ read: CheckIssue, actor: Actor, source: SourceReference?) throws(PaymentError) -> CheckIssue {
        let check = current(read)
        if check.voidRequestedAt != nil || [Failure.cancelledCode, "voided"].contains(check.failure?.code) { return check }
        switch check.state {
        case .validated where check.issueRecord == nil, .created:
            let failure = Failure(code: Failure.cancelledCode, message: "voided before it was sent to the bank")
            return try apply([TransitionStep(to: .failed, actor: actor, reasonCode: failure.code, reasonText: failure.message,
                                             source: source, failure: failure)], to: read)
        case .validated, .submittedToCore, .processing:
            let requested = now
            return note(read, code: "void_requested", text: "void requested: a void record goes in the next issue file",
                        actor: actor, source: source) { $0.voidRequestedAt = requested }
        case .completed:
            throw PaymentError(.invalidStatus, "check \(check.id) was paid; a paid check cannot be voided")
        case .failed:
            throw PaymentError(.invalidStatus, "check \(check.id) is \(check.state) (\(check.failure?.code ?? "failed")); there is nothing to void")
        }
    }

    // MARK: Bank files

    /// One event of a bank file, resolved on the check as the plan leaves it, so several events for
    /// one check in one file apply in order. Returns the history rows it added.
    @discardableResult
    public mutating func apply(_ event: CheckEvent, to read: CheckIssue) throws(PaymentError) -> Int {
        let check = current(read)
        switch event.resolve(from: check.state, failure: check.failure?.code, paidOn: check.paidOn) {
        case .transitions(let steps):
            // A paid record that completes the check keeps its day: a later one of another day is a discrepancy.
            let paidOn: ACHDate? = switch event.kind {
            case .paid(let date), .paidByDecision(let date, _): steps.last?.to == .completed ? date : nil
            default: nil
            }
            try apply(steps, to: read) { if let paidOn { $0.paidOn = paidOn } }
            return steps.count
        case .note(let code, let text, _):
            note(read, code: code, text: text, actor: .bankFile, source: event.source)
            return 1
        case .discrepancy(let text):
            discrepancy(read, text, source: event.source)
            return 1
        case .nothing:
            return 0
        }
    }

    /// What a bank file says about `read` that the ledger contradicts: a discrepancy noted on the
    /// check, which nothing changes, and listed for the file.
    public mutating func discrepancy(_ read: CheckIssue, _ text: String, source: SourceReference) {
        note(read, code: BankEvent.discrepancyCode, text: text, actor: .bankFile, source: source)
        plan.discrepancies.append("check \(read.serial) (\(read.id)): \(text)")
    }

    /// The history code of the note an exception leaves on the check it names.
    public static let exceptionOpenedCode = "exception_opened"

    /// A new exception from a bank file, with a note in the history of the check it names.
    public mutating func open(_ exception: CheckException, on check: CheckIssue?) {
        plan.newExceptions.append(exception)
        announce(exception, at: .open)
        guard let check else { return }
        note(check, code: Self.exceptionOpenedCode, text: "exception \(exception.id) (\(exception.reason.rawValue)): presented for "
             + "\(exception.presentedAmount) cents; the bank's default is \(exception.defaultDecision.rawValue)",
             actor: .bankFile, source: exception.source)
    }

    // MARK: Outbound files

    /// Puts an unbound P_VALIDATED check's issue record in a rendered file, at `line`. Not a state change.
    public mutating func bindIssue(_ read: CheckIssue, fileID: String, line: Int) throws(PaymentError) {
        var check = current(read)
        guard check.state == .validated, check.issueRecord == nil else {
            throw PaymentError(.invalidStatus, "check \(check.id) is no longer an unsent P_VALIDATED check")
        }
        check.issueRecord = CheckIssue.Placement(fileID: fileID, line: line)
        update(read, to: check)
    }

    /// Puts a requested void's record in a rendered file, at `line`.
    public mutating func bindVoid(_ read: CheckIssue, fileID: String, line: Int) throws(PaymentError) {
        var check = current(read)
        guard check.awaitsVoidRecord else {
            throw PaymentError(.invalidStatus, "check \(check.id) has no void waiting to be sent")
        }
        check.voidRecord = CheckIssue.Placement(fileID: fileID, line: line)
        update(read, to: check)
    }

    /// The bank has the issue file: every check issued in it P_VALIDATED → P_SUBMITTED_TO_CORE (one
    /// set-based `FileTransition`, a file holds up to 100,000), and each void in it noted as sent,
    /// with history rows naming the file and the record's line. `issued` are the checks whose issue
    /// record is in the file, as read.
    public mutating func confirmUpload(of file: OutboundFile, issued: [BoundRequest], voids: [CheckIssue], actor: Actor) throws(PaymentError) {
        let stale = issued.filter { $0.state != .validated }.count
        guard stale == 0 else {
            throw PaymentError(.invalidTransition, "\(stale) checks of file \(file.id) are no longer P_VALIDATED")
        }
        if !issued.isEmpty {
            try CheckStateMachine.table.check("(file \(file.id))", from: .validated, to: .submittedToCore)
            plan.fileTransitions.append(LedgerPlan.FileTransition(
                fileID: file.id, from: .validated, to: .submittedToCore, count: issued.count, actor: actor, reasonCode: "file_uploaded",
                reasonText: "in issue file \(file.name) uploaded to the bank", source: .outboundFile(id: file.id, line: nil), at: now))
            for check in issued {
                announce(.checkSubmitted, subjectID: check.id, version: check.version + 1, merchantID: check.merchantID)
            }
        }
        for read in voids {
            guard let record = current(read).voidRecord, record.fileID == file.id else { continue }
            note(read, code: "void_sent", text: "void record in issue file \(file.name) uploaded to the bank", actor: actor,
                 source: .outboundFile(id: file.id, line: record.line))
        }
    }

    /// A file cancelled before upload: its records are released, to go in the next file.
    public mutating func release(_ checks: [CheckIssue], fromCancelled file: OutboundFile, actor: Actor, reason: String) {
        for read in checks {
            let check = current(read)
            let line = check.issueRecord?.fileID == file.id ? check.issueRecord?.line : check.voidRecord?.line
            note(read, code: "file_\(file.status.rawValue)", text: "released from \(file.status.rawValue) file \(file.name): \(reason)", actor: actor,
                 source: .outboundFile(id: file.id, line: line)) { check in
                if check.issueRecord?.fileID == file.id { check.issueRecord = nil }
                if check.voidRecord?.fileID == file.id { check.voidRecord = nil }
            }
        }
    }

    // MARK: Plan building

    /// The outbox event a history row announces, if its change is one merchants are told about.
    private mutating func announce(_ entry: HistoryEntry, merchantID: String) {
        guard entry.fromState != entry.toState, let type = WebhookEventType(announcingCheck: entry.toState) else { return }
        announce(type, subjectID: entry.requestID, version: entry.version, merchantID: merchantID)
    }

    /// The outbox event for an exception reaching `status`.
    mutating func announce(_ exception: CheckException, at status: CheckException.Status) {
        announce(WebhookEventType(announcing: status), subjectID: exception.id, version: status.version, merchantID: exception.merchantID)
    }

    private mutating func announce(_ type: WebhookEventType, subjectID: String, version: Int, merchantID: String) {
        plan.events.append(OutboxEvent(type, subjectID: subjectID, version: version, merchantID: merchantID, at: now,
                                       endpoints: endpoints[merchantID] ?? []))
    }

    private mutating func update(_ read: CheckIssue, to check: CheckIssue) {
        if let index = updateIndex[check.id] {
            plan.updates[index].check = check
        } else if let index = newIndex[check.id] {
            plan.newChecks[index].check = check
        } else {
            updateIndex[check.id] = plan.updates.count
            plan.updates.append(CheckPlan.Update(check: check, expectedVersion: read.version, expectedIssueFileID: read.issueRecord?.fileID,
                                                 expectedVoidFileID: read.voidRecord?.fileID))
        }
    }
}

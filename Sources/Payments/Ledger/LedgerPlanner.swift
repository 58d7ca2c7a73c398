import Foundation
import NACHA

/// The ledger's rules, in one place: turns each operation into a `LedgerPlan` computed from the
/// payments as read. A store reads, asks the planner, and persists the plan it gets; the planner
/// never touches storage.
///
/// Several operations can go into one plan (a group commit of intakes, every event of a bank
/// file). The planner keeps each payment as the plan leaves it, so a second change to the same
/// payment starts where the first ended, and the plan expects the version first read.
public struct LedgerPlanner {
    public let now: Date
    /// Enabled webhook endpoints by merchant: whom each event fans out to.
    private let endpoints: [String: [WebhookEndpoint]]
    public private(set) var plan = LedgerPlan()
    private var updateIndex: [String: Int] = [:]
    private var newIndex: [String: Int] = [:]
    private var balances: [String: Int64] = [:]
    private var intakes: [IntakeKey: ExistingIntake] = [:]

    private struct IntakeKey: Hashable {
        var merchantID: String
        var key: String
    }

    public init(now: Date = Date(), endpoints: [String: [WebhookEndpoint]]) {
        self.now = now
        self.endpoints = endpoints
    }

    /// The payment as the plan leaves it so far (`read` itself when the plan has not touched it).
    public func current(_ read: Payment) -> Payment {
        if let index = updateIndex[read.id] { return plan.updates[index].payment }
        if let index = newIndex[read.id] { return plan.newPayments[index].payment }
        return read
    }

    /// Room for `count` payment updates, for an operation that knows how many it makes (a file's bindings).
    public mutating func reserveCapacity(updates count: Int) {
        plan.updates.reserveCapacity(count)
        updateIndex.reserveCapacity(count)
    }

    /// A merchant's balance after the plan's funds moves, when the plan has moved any.
    public func balance(of merchantID: String) -> Int64? { balances[merchantID] }

    // MARK: Intake

    /// Takes in one validated request: the payment created and validated (or failed for funds) with
    /// both history rows, its reservation, and its idempotency key. A key already used (stored, or
    /// earlier in this plan) returns that payment, or refuses a different request. A refusal leaves
    /// the plan as it was.
    public mutating func takeIn(_ intake: PaymentIntake, as read: IntakeRead) throws(PaymentError) -> IntakeOutcome {
        let request = intake.request
        let scope = IntakeKey(merchantID: intake.merchantID, key: intake.idempotencyKey)
        if let earlier = intakes[scope] ?? read.existing {
            guard earlier.fingerprint == request.fingerprint else {
                throw PaymentError(.idempotencyKeyReused,
                                   "idempotency key \(intake.idempotencyKey) was already used with a different request")
            }
            return IntakeOutcome(payment: current(earlier.payment), created: false, firstResponse: earlier.response)
        }
        guard let balance = balances[intake.merchantID] ?? read.balance else {
            throw PaymentError(.merchantNotFound, "no merchant \(intake.merchantID)")
        }
        let id = Identifier.make(prefix: Payment.idPrefix, at: now)
        let source = intake.source ?? SourceReference.request(idempotencyKey: intake.idempotencyKey)
        var counterparty = request.counterparty
        // A notification of change for this account corrects every later payment to it.
        if let correction = read.correction { counterparty = correction.applied(to: counterparty) }
        var payment = Payment(
            id: id, merchantID: intake.merchantID, state: .created, version: 1,
            amount: request.amount, currency: request.currency, direction: request.direction, secCode: request.secCode,
            description: request.description, effectiveDate: request.effectiveDate, counterparty: counterparty,
            metadata: request.metadata, idempotencyKey: intake.idempotencyKey, reservedAmount: 0, failure: nil,
            createdAt: now, updatedAt: now, settlement: request.settlement, profile: request.profile)
        let created = HistoryEntry(requestID: id, version: 1, fromState: nil, toState: .created, actor: intake.actor,
                                   reasonCode: IntakeDecision.createdReason.code, reasonText: IntakeDecision.createdReason.text,
                                   source: source, createdAt: now)
        if intake.approvalsRequired > 0 {
            return hold(payment, for: intake, request: request, source: source, scope: scope, balance: balance)
        }
        let validation: HistoryEntry
        switch IntakeDecision.decide(direction: request.direction, amount: request.amount, availableBalance: balance) {
        case .validated(let reserve):
            payment.reservedAmount = reserve
            validation = HistoryEntry(requestID: id, version: 2, fromState: .created, toState: .validated, actor: intake.actor,
                                      reasonCode: IntakeDecision.validatedReason.code,
                                      reasonText: IntakeDecision.validatedReason.text, source: source, createdAt: now)
        case .failed(let failure):
            payment.failure = failure
            validation = HistoryEntry(requestID: id, version: 2, fromState: .created, toState: .failed, actor: intake.actor,
                                      reasonCode: failure.code, reasonText: failure.message, source: source, createdAt: now)
        }
        try PaymentStateMachine.check(paymentID: id, from: .created, to: validation.toState)
        // The payment is stored in its validated state directly; both steps are in its history.
        payment.state = validation.toState
        payment.version = 2
        balances[intake.merchantID] = balance
        if payment.reservedAmount > 0 {
            move(FundsMove(merchantID: intake.merchantID, paymentID: id, kind: .reserve, amount: -payment.reservedAmount,
                           actor: intake.actor, reference: id))
        }
        let response = intake.keepsResponse ? PaymentDocument.encode(payment) : nil
        newIndex[id] = plan.newPayments.count
        plan.newPayments.append(LedgerPlan.NewPayment(payment: payment, fingerprint: request.fingerprint, response: response))
        record(created, announcing: nil, merchantID: payment.merchantID)
        record(validation, announcing: WebhookEventType(announcing: validation.toState), merchantID: payment.merchantID)
        intakes[scope] = ExistingIntake(fingerprint: request.fingerprint, payment: payment, response: response)
        return IntakeOutcome(payment: payment, created: true, firstResponse: response)
    }

    /// A new payment over its profile's approval threshold: stored P_CREATED, its history saying it
    /// awaits approval, no funds reserved until the last approval runs the funds check.
    private mutating func hold(_ created: Payment, for intake: PaymentIntake, request: ValidatedRequest, source: SourceReference,
                               scope: IntakeKey, balance: Int64) -> IntakeOutcome {
        var payment = created
        payment.approval = ApprovalCount(required: intake.approvalsRequired)
        let held = HistoryEntry(requestID: payment.id, version: 1, fromState: nil, toState: .created, actor: intake.actor,
                                reasonCode: IntakeDecision.awaitingApprovalReason.code,
                                reasonText: "payment request received; it needs \(Words.count(intake.approvalsRequired, "approval")) before it is validated",
                                source: source, createdAt: now)
        balances[intake.merchantID] = balance
        let response = intake.keepsResponse ? PaymentDocument.encode(payment) : nil
        newIndex[payment.id] = plan.newPayments.count
        plan.newPayments.append(LedgerPlan.NewPayment(payment: payment, fingerprint: request.fingerprint, response: response))
        record(held, announcing: .awaitingApproval, merchantID: payment.merchantID)
        intakes[scope] = ExistingIntake(fingerprint: request.fingerprint, payment: payment, response: response)
        return IntakeOutcome(payment: payment, created: true, firstResponse: response)
    }

    // MARK: Approvals

    /// An approval of a payment held for approval, already checked (`ApprovalReview`): counted, with
    /// a history row naming the approver; the last one needed runs the funds check intake would
    /// have run, to P_VALIDATED (funds reserved) or P_FAILED. `balance` is the merchant's as read.
    @discardableResult
    public mutating func approve(_ read: Payment, _ approval: Approval, balance: Int64) throws(PaymentError) -> Payment {
        guard var count = current(read).approval, current(read).state == .created, !count.isComplete else {
            throw PaymentError(.invalidStatus, "payment \(read.id) is not awaiting approval")
        }
        count.given += 1
        let actor = Actor(rawValue: approval.operatorName)
        plan.approvals.append(approval)
        var payment = note(read, code: "approved", text: "approved by \(approval.operatorName) (\(count.given) of \(count.required))",
                           actor: actor, source: nil, changing: .approval) { $0.approval = count }
        guard count.isComplete else { return payment }
        let available = balances[payment.merchantID] ?? balance
        balances[payment.merchantID] = available
        switch IntakeDecision.decide(direction: payment.direction, amount: payment.amount, availableBalance: available) {
        case .validated(let reserve):
            try PaymentStateMachine.check(paymentID: payment.id, from: .created, to: .validated)
            payment.state = .validated
            payment.version += 1
            payment.reservedAmount = reserve
            update(read, to: payment, changing: .lifecycle)
            if reserve > 0 {
                move(FundsMove(merchantID: payment.merchantID, paymentID: payment.id, kind: .reserve, amount: -reserve, actor: actor,
                               reference: payment.id))
            }
            record(HistoryEntry(requestID: payment.id, version: payment.version, fromState: .created, toState: .validated, actor: actor,
                                reasonCode: IntakeDecision.validatedReason.code, reasonText: IntakeDecision.validatedReason.text,
                                source: nil, createdAt: now),
                   announcing: nil, merchantID: payment.merchantID)
            return payment
        case .failed(let failure):
            return try apply([TransitionStep(to: .failed, actor: actor, reasonCode: failure.code, reasonText: failure.message,
                                             failure: failure)], to: read)
        }
    }

    /// A rejection of a payment held for approval, already checked: P_FAILED `rejected_by_approver`
    /// with the approver's reason, announced as `payment.rejected`. Nothing was reserved.
    @discardableResult
    public mutating func reject(_ read: Payment, _ approval: Approval) throws(PaymentError) -> Payment {
        var payment = current(read)
        guard payment.state == .created, payment.approval.map({ !$0.isComplete }) == true else {
            throw PaymentError(.invalidStatus, "payment \(read.id) is not awaiting approval")
        }
        try PaymentStateMachine.check(paymentID: payment.id, from: .created, to: .failed)
        plan.approvals.append(approval)
        let reason = "rejected by \(approval.operatorName): \(approval.reason ?? "")"
        payment.state = .failed
        payment.version += 1
        payment.failure = Failure(code: PaymentError.Code.rejectedByApprover.rawValue, message: reason)
        payment.updatedAt = now
        update(read, to: payment, changing: .lifecycle)
        record(HistoryEntry(requestID: payment.id, version: payment.version, fromState: .created, toState: .failed,
                            actor: Actor(rawValue: approval.operatorName), reasonCode: PaymentError.Code.rejectedByApprover.rawValue,
                            reasonText: reason, source: nil, createdAt: now),
               announcing: .rejected, merchantID: payment.merchantID)
        return payment
    }

    /// A decision on a file, written with the file's change (its payments change only when the file
    /// is rejected: `release`).
    public mutating func record(_ approval: Approval) { plan.approvals.append(approval) }

    // MARK: State changes

    /// Checked steps in order, each with its history row; a failed credit gives its money back (the
    /// reservation, or after settlement the settled amount), and a completed one holds nothing more.
    @discardableResult
    public mutating func apply(_ steps: [TransitionStep], to read: Payment) throws(PaymentError) -> Payment {
        let before = current(read)
        var payment = before
        var entries: [HistoryEntry] = []
        var moves: [FundsMove] = []
        for step in steps {
            try PaymentStateMachine.check(paymentID: payment.id, from: payment.state, to: step.to)
            let from = payment.state
            payment.state = step.to
            payment.version += 1
            if let failure = step.failure { payment.failure = failure }
            if step.to == .failed, payment.direction == .credit, payment.reservedAmount > 0 || from == .completed {
                let given = payment.reservedAmount > 0 ? payment.reservedAmount : payment.amount
                moves.append(FundsMove(merchantID: payment.merchantID, paymentID: payment.id,
                                       kind: from == .completed ? .return : .release, amount: given, actor: step.actor,
                                       reference: step.reasonCode))
                payment.reservedAmount = 0
            } else if step.to == .completed {
                payment.reservedAmount = 0
            }
            entries.append(HistoryEntry(requestID: payment.id, version: payment.version, fromState: from, toState: step.to,
                                        actor: step.actor, reasonCode: step.reasonCode, reasonText: step.reasonText,
                                        source: step.source, createdAt: now))
        }
        payment.updatedAt = now
        update(read, to: payment, changing: .lifecycle)
        for move in moves { self.move(move) }
        for entry in entries {
            record(entry, announcing: WebhookEventType(announcing: entry.toState), merchantID: payment.merchantID)
        }
        return payment
    }

    /// A history row without a state change (NOCs, dishonored returns, pended files): the version
    /// still moves on. `change` alters the row itself where the note records one (a cancelled file's
    /// binding going).
    @discardableResult
    public mutating func note(_ read: Payment, code: String, text: String, actor: Actor, source: SourceReference?,
                              announcing type: WebhookEventType? = nil, changing parts: LedgerPlan.PaymentUpdate.Parts = [],
                              change: (inout Payment) -> Void = { _ in }) -> Payment {
        var payment = current(read)
        change(&payment)
        payment.version += 1
        payment.updatedAt = now
        update(read, to: payment, changing: parts.union(.lifecycle))
        record(HistoryEntry(requestID: payment.id, version: payment.version, fromState: payment.state, toState: payment.state,
                            actor: actor, reasonCode: code, reasonText: text, source: source, createdAt: now),
               announcing: type, merchantID: payment.merchantID)
        return payment
    }

    // MARK: Bank files

    /// One event of a bank file, resolved on the payment as the plan leaves it, so several events
    /// for one payment in one file apply in order. Returns the history rows it added.
    @discardableResult
    public mutating func apply(_ event: BankEvent, to read: Payment) throws(PaymentError) -> Int {
        let payment = current(read)
        switch event.resolve(from: payment.state, failure: payment.failure?.code) {
        case .transitions(let steps):
            try apply(steps, to: read)
            if case .rejected = event.kind { plan.rejections += 1 }
            return steps.count
        case .note(let code, let text, let type):
            note(read, code: code, text: text, actor: .bankFile, source: event.source, announcing: type)
            return 1
        case .discrepancy(let text):
            note(read, code: BankEvent.discrepancyCode, text: text, actor: .bankFile, source: event.source, announcing: nil)
            plan.discrepancies.append("\(read.id): \(text)")
            return 1
        case .nothing:
            return 0
        }
    }

    /// A notification of change: the payment's counterparty is corrected, and the correction is kept
    /// for later payments to the same account.
    public mutating func correct(_ read: Payment, with correction: CounterpartyCorrection, inboundFileID: String, receivedAt: Date) {
        var payment = current(read)
        payment.counterparty = Counterparty(name: correction.correctedName, routingNumber: correction.correctedRoutingNumber,
                                            accountNumber: correction.correctedAccountNumber,
                                            accountType: correction.correctedAccountType)
        update(read, to: payment, changing: .counterparty)
        plan.corrections.append(LedgerPlan.Correction(correction: correction, inboundFileID: inboundFileID, createdAt: receivedAt))
    }

    /// A batch the settlement report settled, so no later report settles it again.
    public mutating func settle(_ batch: UnsettledBatch, inboundFileID: String) {
        plan.settledBatches.append(LedgerPlan.SettledBatch(fileID: batch.fileID, batchNumber: batch.batchNumber,
                                                           inboundFileID: inboundFileID, amount: batch.total))
    }

    // MARK: Outbound files

    /// Binds an unbound P_VALIDATED payment to its place in a rendered file. Not a state change: the
    /// version stays, and the plan expects the payment still unbound.
    public mutating func bind(_ read: Payment, to binding: FileBinding, fileID: String) throws(PaymentError) {
        var payment = current(read)
        guard payment.state == .validated, payment.submission == nil else {
            throw PaymentError(.invalidStatus, "payment \(payment.id) is no longer an unbound P_VALIDATED payment")
        }
        payment.submission = Submission(fileID: fileID, batchNumber: binding.batchNumber, traceNumber: binding.traceNumber,
                                        line: binding.line, entryEffectiveDate: binding.effectiveDate)
        update(read, to: payment, changing: .submission)
    }

    /// The bank has the file: every payment bound to it P_VALIDATED → P_SUBMITTED_TO_CORE, each with a
    /// history row naming the file and the entry's line, and announced. Planned as one
    /// `FileTransition`, since a file holds up to 100,000 payments that all take the same step.
    public mutating func confirmUpload(of file: OutboundFile, bound: [BoundRequest], actor: Actor) throws(PaymentError) {
        let stale = bound.filter { $0.state != .validated }.count
        guard stale == 0 else {
            throw PaymentError(.invalidTransition, "\(stale) payments of file \(file.id) are no longer P_VALIDATED")
        }
        try PaymentStateMachine.check(paymentID: "(file \(file.id))", from: .validated, to: .submittedToCore)
        plan.fileTransitions.append(LedgerPlan.FileTransition(
            fileID: file.id, from: .validated, to: .submittedToCore, count: bound.count, actor: actor, reasonCode: "file_uploaded",
            reasonText: "in file \(file.name) uploaded to the bank", source: .outboundFile(id: file.id, line: nil), at: now))
        for payment in bound {
            announce(.submitted, paymentID: payment.id, version: payment.version + 1, merchantID: payment.merchantID)
        }
    }

    /// A file stopped before upload (cancelled, rejected, expired): each payment is unbound and stays
    /// P_VALIDATED, with a history row saying why.
    public mutating func release(_ payments: [Payment], fromCancelled file: OutboundFile, actor: Actor, reason: String) {
        for payment in payments {
            note(payment, code: "file_\(file.status.rawValue)", text: "released from \(file.status.rawValue) file \(file.name): \(reason)", actor: actor,
                 source: SourceReference.outboundFile(id: file.id, line: payment.submission?.line),
                 changing: .submission) { $0.submission = nil }
        }
    }

    // MARK: Funds

    /// Money a merchant paid in; returns the merchant with its new balance.
    public mutating func fund(_ merchant: Merchant, amount: Int64, actor: Actor, reference: String) throws(PaymentError) -> Merchant {
        guard amount > 0 else {
            throw PaymentError(.invalidRequest, "the funding amount must be positive",
                               fieldErrors: [.init(field: "amount", code: "not_positive", message: "must be a positive number of cents")])
        }
        var funded = merchant
        balances[merchant.id] = balances[merchant.id] ?? merchant.balance
        move(FundsMove(merchantID: merchant.id, paymentID: nil, kind: .fund, amount: amount, actor: actor, reference: reference))
        funded.balance = balances[merchant.id] ?? merchant.balance
        return funded
    }

    // MARK: Plan building

    private mutating func update(_ read: Payment, to payment: Payment, changing parts: LedgerPlan.PaymentUpdate.Parts) {
        if let index = updateIndex[payment.id] {
            plan.updates[index].payment = payment
            plan.updates[index].parts.formUnion(parts)
        } else if let index = newIndex[payment.id] {
            plan.newPayments[index].payment = payment
        } else {
            updateIndex[payment.id] = plan.updates.count
            plan.updates.append(LedgerPlan.PaymentUpdate(payment: payment, parts: parts, expectedVersion: read.version,
                                                         expectedFileID: read.submission?.fileID))
        }
    }

    private mutating func move(_ move: FundsMove) {
        if let balance = balances[move.merchantID] { balances[move.merchantID] = balance + move.amount }
        plan.funds.append(move)
    }

    private mutating func record(_ entry: HistoryEntry, announcing type: WebhookEventType?, merchantID: String) {
        plan.history.append(entry)
        guard let type else { return }
        announce(type, paymentID: entry.requestID, version: entry.version, merchantID: merchantID)
    }

    /// The outbox event for a payment's new version, fanned out to the merchant's endpoints that take its type.
    private mutating func announce(_ type: WebhookEventType, paymentID: String, version: Int, merchantID: String) {
        plan.events.append(OutboxEvent(type, subjectID: paymentID, version: version, merchantID: merchantID, at: now,
                                       endpoints: endpoints[merchantID] ?? []))
    }
}

import Foundation

/// The ledger's writes, once for every store: read through the store's protocol, plan with
/// `LedgerPlanner`, persist the plan, and plan again on a conflict (`Replanning`). A store only
/// reads and persists; which rows a write depends on, and what it does with them, is here.
extension PaymentStore {
    /// Adds funds to a merchant's balance, with a ledger entry; returns the merchant as stored after.
    public func fund(merchantID: String, amount: Int64, actor: Actor, reference: String) async throws -> Merchant {
        try await Replanning.run {
            let merchant = try await self.merchant(merchantID)
            var planner = LedgerPlanner(endpoints: [:])
            _ = try planner.fund(merchant, amount: amount, actor: actor, reference: reference)
            try await persist(planner.plan)
        }
        return try await merchant(merchantID)
    }

    /// Stores each intake atomically: all are applied or none. For each: an existing payment with the
    /// same (merchant, idempotency key) and fingerprint is returned as it is; a different fingerprint
    /// fails the whole call with `idempotencyKeyReused`. New payments are created, validated and funds-checked.
    public func intake(_ intakes: [PaymentIntake]) async throws -> [IntakeOutcome] {
        try await Replanning.run { try await takeIn(intakes, stagedIn: nil, plan: Self.planEvery(intakes)) }
    }

    /// Takes in each intake independently, all in one durable write (group commit): a refused intake
    /// (reused key, unknown merchant) leaves the plan as it was and is reported in its slot. Throws
    /// only when the write itself fails, in which case nothing was stored.
    public func intakeEach(_ intakes: [PaymentIntake]) async throws -> [Result<IntakeOutcome, PaymentError>] {
        try await Replanning.run { try await takeIn(intakes, stagedIn: nil, plan: Self.planEach(intakes)) }
    }

    /// Each intake planned in turn, a refused one reported in its slot and leaving the plan as it was.
    static func planEach(_ intakes: [PaymentIntake])
        -> @Sendable (IntakeReads, [String: [WebhookEndpoint]]) throws -> (LedgerPlan, [Result<IntakeOutcome, PaymentError>]) {
        { reads, endpoints in
            var planner = LedgerPlanner(endpoints: endpoints)
            let outcomes = intakes.map { intake in
                Result { () throws(PaymentError) in try planner.takeIn(intake, as: reads.read(intake, planner)) }
            }
            return (planner.plan, outcomes)
        }
    }

    /// Every intake planned, or the first refusal: nothing is written then.
    static func planEvery(_ intakes: [PaymentIntake]) -> @Sendable (IntakeReads, [String: [WebhookEndpoint]]) throws -> (LedgerPlan, [IntakeOutcome]) {
        { reads, endpoints in
            let (plan, outcomes) = try planEach(intakes)(reads, endpoints)
            return (plan, try outcomes.map { try $0.get() })
        }
    }

    /// Applies state changes to one payment in order, each checked against the transition table and
    /// each leaving a history row, in one write. A failure releases any funds reservation.
    public func transition(paymentID: String, steps: [TransitionStep]) async throws -> Payment {
        try await Replanning.run {
            let payment = try await payment(id: paymentID)
            var planner = LedgerPlanner(endpoints: try await enabledEndpoints(merchants: [payment.merchantID]))
            let changed = try planner.apply(steps, to: payment)
            try await persist(planner.plan)
            return changed
        }
    }
}

extension PaymentImportStore where Self: PaymentStore {
    /// Takes in a chunk of the import as `PaymentStore.intake` would, invisible until published. A key
    /// already used by a published payment returns that payment; a key another pending import holds
    /// is a `StoreError.Code.conflict`.
    public func stage(_ intakes: [PaymentIntake], into importID: String) async throws -> [IntakeOutcome] {
        try await Replanning.run { try await takeIn(intakes, stagedIn: importID, plan: Self.planEvery(intakes)) }
    }
}

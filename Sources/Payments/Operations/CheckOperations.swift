import Foundation

/// Positive Pay's writes, once for every store: read through the store, plan with `CheckPlanner`,
/// persist the plan (every row written only as it was read: a check at its version, an exception
/// in its status, a live serial once per account, a key once), and plan again on a conflict.
extension CheckStore where Self: PaymentStore {
    /// Takes in every intake or none (`CheckPlanner.takeIn`): the same key and request returns the
    /// check it made; a live serial for the account makes the check P_FAILED (`serial_live`).
    public func issueChecks(_ intakes: [CheckIntake]) async throws -> [CheckIntake.Outcome] {
        try await Replanning.run {
            var planner = CheckPlanner(endpoints: try await enabledEndpoints(merchants: Set(intakes.map(\.merchantID))))
            let reads = try await checkIntakeReads(intakes)
            var outcomes: [CheckIntake.Outcome] = []
            for (intake, read) in zip(intakes, reads) { outcomes.append(try planner.takeIn(intake, as: read)) }
            try await persist(planner.plan)
            return outcomes
        }
    }

    /// `CheckPlanner.void` on the check as stored.
    public func voidCheck(id: String, actor: Actor, source: SourceReference?) async throws -> CheckIssue {
        try await Replanning.run {
            let read = try await check(id: id)
            var planner = CheckPlanner(endpoints: try await enabledEndpoints(merchants: [read.merchantID]))
            let check = try planner.void(read, actor: actor, source: source)
            try await persist(planner.plan)
            return check
        }
    }

    /// `CheckPlanner.decide` on the exception as stored.
    public func decideException(id: String, decision: CheckException.Decision, returnReason: String?, actor: Actor,
                                source: SourceReference?, at now: Date) async throws -> ExceptionDecision {
        try await Replanning.run {
            let exception = try await checkException(id: id)
            var planner = CheckPlanner(now: now, endpoints: try await enabledEndpoints(merchants: [exception.merchantID]))
            let made = try planner.decide(exception, decision, returnReason: returnReason, actor: actor, source: source)
            try await persist(planner.plan)
            return made
        }
    }

    /// Every exception past its deadline, settled with the decision the bank applied
    /// (`CheckPlanner.settle`), in one write; returns those it closed.
    public func closeLapsedExceptions(at now: Date, actor: Actor) async throws -> [CheckException] {
        try await Replanning.run {
            let due = try await checkExceptions(merchantID: nil, status: nil).filter { $0.status != .closed && $0.deadline <= now }
            let checks = try await checks(ids: due.compactMap(\.checkID))
            var planner = CheckPlanner(now: now, endpoints: try await enabledEndpoints(merchants: Set(due.map(\.merchantID))))
            var settled: [CheckException] = []
            for exception in due {
                // The latest decision made on it, if any (ids grow with time).
                let decision = try await decisions(exceptionID: exception.id).last
                if try planner.settle(exception, check: exception.checkID.flatMap { checks[$0] }, decision: decision, actor: actor) {
                    settled.append(exception)
                }
            }
            try await persist(planner.plan)
            return settled
        }
    }
}

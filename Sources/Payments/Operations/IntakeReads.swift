import Foundation

/// What the planner needs to take in a set of requests, read together before planning: each key's
/// earlier payment, each merchant's balance and each account's latest correction. A store reads
/// them in the write's transaction (`PaymentStore.takeIn(_:stagedIn:plan:)`) and hands them to
/// the plan; a write that no longer fits them (a key another instance took, a balance it moved) is
/// a conflict, and intake reads and plans again.
public struct IntakeReads: Sendable {
    public var existing: [String: ExistingIntake] = [:]
    public var balances: [String: Int64] = [:]
    public var corrections: [String: CounterpartyCorrection] = [:]

    public init() {}

    /// The key of a merchant's idempotency key, or of an account (routing and account number).
    public static func key(_ merchantID: String, _ second: String, _ third: String = "") -> String {
        "\(merchantID)\u{1F}\(second)\u{1F}\(third)"
    }

    public mutating func record(_ existing: ExistingIntake) {
        self.existing[Self.key(existing.payment.merchantID, existing.payment.idempotencyKey)] = existing
    }

    public mutating func record(_ correction: CounterpartyCorrection) {
        corrections[Self.key(correction.merchantID, correction.routingNumber, correction.accountNumber)] = correction
    }

    /// The read for `intake`, given what the planner already knows (a balance its plan moved).
    public func read(_ intake: PaymentIntake, _ planner: LedgerPlanner) -> IntakeRead {
        if let existing = existing[Self.key(intake.merchantID, intake.idempotencyKey)] {
            return IntakeRead(existing: existing, balance: nil, correction: nil)
        }
        let account = intake.request.counterparty
        return IntakeRead(existing: nil, balance: planner.balance(of: intake.merchantID) != nil ? nil : balances[intake.merchantID],
                          correction: corrections[Self.key(intake.merchantID, account.routingNumber, account.accountNumber)])
    }
}

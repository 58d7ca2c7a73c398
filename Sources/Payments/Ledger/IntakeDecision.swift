import Foundation

/// Decisions taken when a validated request enters the ledger, shared by every store implementation:
/// the first history rows and the funds check outcome.
public enum IntakeDecision {
    /// What validation decides for a new payment given the merchant's available balance.
    public enum Outcome: Sendable, Hashable {
        /// Validated; `reserve` cents are held from the balance (credits only).
        case validated(reserve: Int64)
        case failed(Failure)
    }

    public static func decide(direction: Direction, amount: Int64, availableBalance: Int64) -> Outcome {
        guard direction == .credit else { return .validated(reserve: 0) }
        guard availableBalance >= amount else {
            return .failed(Failure(code: "insufficient_funds",
                                   message: "the merchant's available balance does not cover this credit"))
        }
        return .validated(reserve: amount)
    }

    public static let createdReason = (code: "received", text: "payment request received")
    /// The reason of a new payment's first row when its profile's rule holds it for approval.
    public static let awaitingApprovalReason = (code: "awaiting_approval", text: "payment request received; awaiting approval")
    public static let validatedReason = (code: "validated", text: "schema and funds checks passed")
}

/// The payments' transition table. Every state change of a payment is checked here; anything not
/// listed is refused.
public enum PaymentStateMachine {
    public static let table = StateTable("payment", [
        .created: [.validated, .failed],
        .validated: [.submittedToCore, .failed],       // FAILED: operator cancel
        .submittedToCore: [.processing, .failed],      // FAILED: file or batch rejected
        .processing: [.completed, .failed],            // FAILED: return
        .completed: [.failed],                         // late return after settlement
        .failed: [],
    ])

    public static func allows(from: PaymentState, to: PaymentState) -> Bool { table.allows(from: from, to: to) }

    public static func check(paymentID: String, from: PaymentState, to: PaymentState) throws(PaymentError) {
        try table.check(paymentID, from: from, to: to)
    }

    /// See `StateTable.impliedPath`.
    public static func impliedPath(from current: PaymentState, to target: PaymentState) -> [PaymentState]? {
        table.impliedPath(from: current, to: target)
    }
}

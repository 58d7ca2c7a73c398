/// The one transition table. Every state change in metl is checked here; anything not listed is refused.
public enum PaymentStateMachine {
    public static let transitions: [PaymentState: Set<PaymentState>] = [
        .created: [.validated, .failed],
        .validated: [.submittedToCore, .failed],       // FAILED: operator cancel
        .submittedToCore: [.processing, .failed],      // FAILED: file or batch rejected
        .processing: [.completed, .failed],            // FAILED: return
        .completed: [.failed],                         // late return after settlement
        .failed: [],
    ]

    public static func allows(from: PaymentState, to: PaymentState) -> Bool {
        transitions[from, default: []].contains(to)
    }

    /// Checks one step, throwing the typed refusal callers surface as-is.
    public static func check(paymentID: String, from: PaymentState, to: PaymentState) throws(PaymentError) {
        guard allows(from: from, to: to) else {
            throw PaymentError(.invalidTransition, "payment \(paymentID) cannot move from \(from) to \(to)")
        }
    }

    /// The states to record when a bank event implies `target`: the forward path from `current`
    /// through the usual lifecycle, each intermediate step made explicit (a settlement for a
    /// SUBMITTED payment records PROCESSING, then COMPLETED). A return from SUBMITTED likewise
    /// records the implied acknowledgement (PROCESSING) before FAILED. Nil when no path exists.
    public static func impliedPath(from current: PaymentState, to target: PaymentState) -> [PaymentState]? {
        let lifecycle: [PaymentState] = [.created, .validated, .submittedToCore, .processing, .completed]
        if target == .failed {
            if current == .submittedToCore { return [.processing, .failed] }
            return allows(from: current, to: .failed) ? [.failed] : nil
        }
        guard let start = lifecycle.firstIndex(of: current), let end = lifecycle.firstIndex(of: target), start < end else {
            return nil
        }
        return Array(lifecycle[(start + 1)...end])
    }
}

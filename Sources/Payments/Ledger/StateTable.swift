/// A request type's transition table over the `P_*` states, and the paths a late event implies.
/// Payments and check issues each have one (`PaymentStateMachine`, `CheckStateMachine`); every
/// state change of either is checked against its table, and anything not listed is refused.
public struct StateTable: Sendable {
    public let transitions: [PaymentState: Set<PaymentState>]
    /// What the table's requests are called in a refusal ("payment", "check").
    public let noun: String

    public init(_ noun: String, _ transitions: [PaymentState: Set<PaymentState>]) {
        self.noun = noun
        self.transitions = transitions
    }

    public func allows(from: PaymentState, to: PaymentState) -> Bool {
        transitions[from, default: []].contains(to)
    }

    /// Checks one step, throwing the typed refusal callers surface as-is.
    public func check(_ id: String, from: PaymentState, to: PaymentState) throws(PaymentError) {
        guard allows(from: from, to: to) else {
            throw PaymentError(.invalidTransition, "\(noun) \(id) cannot move from \(from) to \(to)")
        }
    }

    /// The states to record when a bank event implies `target`: the forward path from `current`
    /// through the usual lifecycle, each intermediate step made explicit (a settlement or a paid
    /// check for a SUBMITTED request records PROCESSING, then COMPLETED). A failure from SUBMITTED
    /// likewise records the implied PROCESSING (the bank had it) before FAILED. Nil when no path exists.
    public func impliedPath(from current: PaymentState, to target: PaymentState) -> [PaymentState]? {
        let lifecycle: [PaymentState] = [.created, .validated, .submittedToCore, .processing, .completed]
        if target == .failed {
            if current == .submittedToCore { return [.processing, .failed] }
            return allows(from: current, to: .failed) ? [.failed] : nil
        }
        guard let start = lifecycle.firstIndex(of: current), let end = lifecycle.firstIndex(of: target), start < end else {
            return nil
        }
        let path = Array(lifecycle[(start + 1)...end])
        var from = current
        for next in path {
            guard allows(from: from, to: next) else { return nil }
            from = next
        }
        return path
    }
}

/// What a bank file says happened to one check: confirmed on file, paid, void confirmed, stopped,
/// rejected. Like `BankEvent` for payments, `resolve` takes events in any order: a paid check
/// before its confirmation records the implied P_PROCESSING, and a second report of the same
/// payment (ARP `P` and BAI2 `475`) changes nothing.
public struct CheckEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The bank has the check on file (an ARP `O` outstanding record, or a confirmation).
        case onFile
        /// Paid and matched, on the bank's date (`YYYYMMDD` or as the report gives it).
        case paid(on: String)
        /// Paid for the amount presented on an exception, which a pay decision (the company's or the
        /// bank's default) accepted.
        case paidByDecision(on: String, exceptionID: String)
        /// The bank confirms the void.
        case voided
        /// The bank reports a stop payment on the check: noted, no state change.
        case stopped
        /// The bank rejected the check's record.
        case rejected(Failure)
    }

    public var checkID: String
    public var kind: Kind
    public var source: SourceReference

    public init(checkID: String, kind: Kind, source: SourceReference) {
        self.checkID = checkID
        self.kind = kind
        self.source = source
    }

    /// The steps to record for a check in `state`, or a note, or nothing (already reflected).
    public func resolve(from state: PaymentState) -> BankEvent.Resolution {
        let actor = Actor.bankFile
        func path(to target: PaymentState, code: String, text: String, failure: Failure? = nil) -> BankEvent.Resolution {
            guard let states = CheckStateMachine.table.impliedPath(from: state, to: target) else { return .nothing }
            return .transitions(states.map { next in
                next == target
                    ? TransitionStep(to: next, actor: actor, reasonCode: code, reasonText: text, source: source, failure: failure)
                    : TransitionStep(to: next, actor: actor, reasonCode: "implied_on_file",
                                     reasonText: "implied by a later bank file: the confirmation was not seen", source: source)
            })
        }
        switch kind {
        case .onFile:
            return state == .submittedToCore ? path(to: .processing, code: "on_file", text: "the bank has the check on file") : .nothing
        case .paid(let date):
            guard state == .submittedToCore || state == .processing else { return .nothing }
            return path(to: .completed, code: "paid", text: "paid and matched by the bank on \(date)")
        case .paidByDecision(let date, let exceptionID):
            guard state == .submittedToCore || state == .processing else { return .nothing }
            return path(to: .completed, code: "paid_by_decision",
                        text: "paid by the bank on \(date) for the amount presented on exception \(exceptionID), as decided")
        case .voided:
            guard state == .submittedToCore || state == .processing else { return .nothing }
            let failure = Failure(code: "voided", message: "the bank confirmed the void")
            return path(to: .failed, code: failure.code, text: failure.message, failure: failure)
        case .stopped:
            return .note(code: "stopped", text: "the bank reports a stop payment on the check", announcing: nil)
        case .rejected(let failure):
            guard state == .submittedToCore else { return .nothing }
            return .transitions([TransitionStep(to: .failed, actor: actor, reasonCode: failure.code, reasonText: failure.message,
                                                source: source, failure: failure)])
        }
    }
}

import NACHA

/// What a bank file says happened to one check: confirmed on file, paid, void confirmed, stopped,
/// rejected. Like `BankEvent` for payments, `resolve` takes events in any order: a paid check
/// before its confirmation records the implied P_PROCESSING, and a second report of the same
/// payment (ARP `P` and BAI2 `475`) changes nothing.
public struct CheckEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The bank has the check on file (an ARP `O` outstanding record, or a confirmation).
        case onFile
        /// Paid and matched, on the bank's date.
        case paid(on: ACHDate)
        /// Paid for the amount presented on an exception, which a pay decision (the company's or the
        /// bank's default) accepted.
        case paidByDecision(on: ACHDate, exceptionID: String)
        /// The bank confirms the void.
        case voided
        /// The bank reports a stop payment on the check: noted, no state change.
        case stopped
        /// The bank rejected the check's record.
        case rejected(Failure)
        /// A record that names the check's serial but not its amount or issue date (`text` says
        /// how): about another item, so never applied; a discrepancy on the check for a person.
        case mismatched(String)
    }

    public var checkID: String
    public var kind: Kind
    public var source: SourceReference

    public init(checkID: String, kind: Kind, source: SourceReference) {
        self.checkID = checkID
        self.kind = kind
        self.source = source
    }

    /// The steps to record for a check in `state` (failed with the code `failure`, paid on `paidOn`),
    /// or a note, or nothing (already reflected, or reported in another order), or a discrepancy: what
    /// the bank says contradicts the ledger (a check never sent, paid after its void, voided after it
    /// was paid, paid again on another day).
    public func resolve(from state: PaymentState, failure: String? = nil, paidOn: ACHDate? = nil) -> BankEvent.Resolution {
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
        if state == .created || state == .validated, kind.concernsTheCheck {
            return .discrepancy(text: "the bank reports \(kind.summary) for a check whose issue record was never sent (\(state.rawValue)); not applied")
        }
        switch kind {
        case .onFile:
            return state == .submittedToCore ? path(to: .processing, code: "on_file", text: "the bank has the check on file") : .nothing
        case .paid(let date), .paidByDecision(let date, _):
            if state == .failed { return paidAfterFailure(failure) }
            if state == .completed { return paidAgain(on: date, paidOn: paidOn) }
            guard state == .submittedToCore || state == .processing else { return .nothing }
            if case .paidByDecision(_, let exceptionID) = kind {
                return path(to: .completed, code: "paid_by_decision",
                            text: "paid by the bank on \(date) for the amount presented on exception \(exceptionID), as decided")
            }
            return path(to: .completed, code: "paid", text: "paid and matched by the bank on \(date)")
        case .voided:
            if state == .completed {
                return .discrepancy(text: "the bank confirms a void of a check it reported paid; the check stays paid")
            }
            guard state == .submittedToCore || state == .processing else { return .nothing }
            let failure = Failure(code: "voided", message: "the bank confirmed the void")
            return path(to: .failed, code: failure.code, text: failure.message, failure: failure)
        case .stopped:
            return .note(code: "stopped", text: "the bank reports a stop payment on the check", announcing: nil)
        case .mismatched(let text):
            return .discrepancy(text: text)
        case .rejected(let failure):
            if state == .processing || state == .completed {
                return .discrepancy(text: "the bank rejects (\(failure.code)) a check it already had on file; the check stays \(state.rawValue)")
            }
            guard state == .submittedToCore else { return .nothing }
            return .transitions([TransitionStep(to: .failed, actor: actor, reasonCode: failure.code, reasonText: failure.message,
                                                source: source, failure: failure)])
        }
    }

    /// A paid record for a check already paid: the same payment reported again (an ARP `P` and a BAI2
    /// `475` of one day) changes nothing; one of another day is another presentment of the check.
    private func paidAgain(on date: ACHDate, paidOn: ACHDate?) -> BankEvent.Resolution {
        guard let paidOn, paidOn != date else { return .nothing }
        return .discrepancy(text: "the bank reports the check paid again on \(date), after paying it on \(paidOn); not applied")
    }

    /// A paid record for a failed check: money left the account for a check the ledger says is voided,
    /// cancelled or returned.
    private func paidAfterFailure(_ failure: String?) -> BankEvent.Resolution {
        .discrepancy(text: "the bank reports a check paid that is failed (\(failure ?? "failed")); not applied")
    }
}

extension CheckEvent.Kind {
    /// Whether the record is about the check itself: a stop is only noted, and a mismatched record
    /// is about another item, whatever state the check is in.
    var concernsTheCheck: Bool {
        switch self {
        case .stopped, .mismatched: false
        default: true
        }
    }

    /// What the bank said, for a discrepancy's text.
    var summary: String {
        switch self {
        case .onFile: "the check on file"
        case .paid(let date): "the check paid on \(date)"
        case .paidByDecision(let date, _): "the check paid on \(date)"
        case .voided: "the void confirmed"
        case .stopped: "a stop payment"
        case .rejected(let failure): "the check rejected (\(failure.code))"
        case .mismatched: "a record that does not match the check"
        }
    }
}

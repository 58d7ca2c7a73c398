import NACHA

/// What a bank file says happened to one payment. The ingest job turns files into these; the store
/// applies them with `BankEvent.resolve`, which knows how to take events in any order.
public struct BankEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The file (or the payment's batch) was accepted by the ACH operator.
        case acknowledged
        /// The file or batch was rejected; the payment failed with this reason.
        case rejected(Failure)
        /// The batch settled.
        case settled
        /// The entry was returned.
        case returned(Failure)
        /// A notification of change (C01–C14): a note in the history that merchants are told about.
        case corrected(code: String, text: String)
        /// A note for the history without a state change: refused NOCs, dishonored and contested
        /// returns, pended files.
        case noted(code: String, text: String)
    }

    public var paymentID: String
    public var kind: Kind
    public var source: SourceReference

    public init(paymentID: String, kind: Kind, source: SourceReference) {
        self.paymentID = paymentID
        self.kind = kind
        self.source = source
    }

    /// The outcome of an event for a payment in `state`.
    public enum Resolution: Sendable, Hashable {
        /// Record these steps (implied ones first, each with its own history row).
        case transitions([TransitionStep])
        /// Record a history row without changing the state, announced as `announcing` when set.
        case note(code: String, text: String, announcing: WebhookEventType?)
        /// Already reflected (a repeated or overtaken event): nothing to record.
        case nothing
        /// The bank says what the ledger contradicts (a return for a payment never submitted, a
        /// rejection after acceptance): nothing changes, but a history row with code
        /// `discrepancy` says what the bank said, and the file is flagged for a person.
        case discrepancy(text: String)
    }

    /// The history code a discrepancy's row carries.
    public static let discrepancyCode = "discrepancy"

    /// Events may arrive out of order: a settlement before the acknowledgement records the implied
    /// P_PROCESSING; an acknowledgement after settlement or return changes nothing; a return after
    /// settlement is a late return (COMPLETED → FAILED), flagged in its reason.
    public func resolve(from state: PaymentState, failure: String? = nil) -> Resolution {
        let actor = Actor.bankFile
        func path(to target: PaymentState, code: String, text: String, failure: Failure? = nil) -> Resolution {
            guard let states = PaymentStateMachine.impliedPath(from: state, to: target) else { return .nothing }
            return .transitions(states.map { next in
                next == target
                    ? TransitionStep(to: next, actor: actor, reasonCode: code, reasonText: text, source: source, failure: failure)
                    : TransitionStep(to: next, actor: actor, reasonCode: "implied_acknowledgement",
                                     reasonText: "implied by a later bank file: the acknowledgement was not seen", source: source)
            })
        }
        // Whatever the bank says of a payment it was never sent contradicts the ledger.
        if state == .created || state == .validated, !kind.isNote {
            return .discrepancy(text: "the bank reports \(kind.summary) for a payment never submitted to it (\(state.rawValue)); not applied")
        }
        switch kind {
        case .acknowledged:
            return state == .submittedToCore
                ? path(to: .processing, code: "acknowledged", text: "file accepted by the ACH operator") : .nothing
        case .rejected(let failure):
            switch state {
            case .submittedToCore:
                return .transitions([TransitionStep(to: .failed, actor: actor, reasonCode: failure.code, reasonText: failure.message,
                                                    source: source, failure: failure)])
            case .processing, .completed:
                return .discrepancy(text: "the bank reports the file or batch rejected (\(failure.code)) after it was accepted; "
                                    + "the payment stays \(state.rawValue)")
            default:
                return .nothing
            }
        case .settled:
            switch state {
            case .submittedToCore, .processing: return path(to: .completed, code: "settled", text: "settlement reported by the bank")
            // A returned entry settled with its batch before it came back: reports that arrive in
            // another order say nothing new. Settlement of one the bank rejected, or never got, does.
            case .failed where failure.flatMap(ReturnReasonCode.lookup) != nil: return .nothing
            case .failed: return .discrepancy(text: "the bank reports settlement of a payment that failed (\(failure ?? "failed")); not applied")
            default: return .nothing
            }
        case .returned(let failure):
            switch state {
            case .submittedToCore, .processing:
                return path(to: .failed, code: failure.code, text: failure.message, failure: failure)
            case .completed:
                let late = Failure(code: failure.code, message: failure.message + " (returned after settlement)")
                return path(to: .failed, code: failure.code, text: late.message, failure: late)
            default:
                return .nothing
            }
        case .corrected(let code, let text):
            return .note(code: code, text: text, announcing: .corrected)
        case .noted(let code, let text):
            return .note(code: code, text: text, announcing: nil)
        }
    }
}

extension BankEvent.Kind {
    /// Notes and corrections change no state: they stand whatever the payment's.
    var isNote: Bool {
        switch self {
        case .corrected, .noted: true
        default: false
        }
    }

    /// What the bank said, for a discrepancy's text.
    var summary: String {
        switch self {
        case .acknowledged: "an acknowledgement"
        case .rejected(let failure): "a rejection (\(failure.code))"
        case .settled: "settlement"
        case .returned(let failure): "a return (\(failure.code))"
        case .corrected(let code, _): "a notification of change (\(code))"
        case .noted(let code, _): "a note (\(code))"
        }
    }
}

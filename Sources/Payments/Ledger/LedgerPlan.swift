import Foundation

/// Everything one operation changes in the ledger, computed in Swift by `LedgerPlanner` from the
/// payments as read. A store persists a plan in one transaction, all of it or none, with
/// set-based statements; it decides nothing. Every state change in metl is written this way.
public struct LedgerPlan: Sendable {
    /// A payment row to write over, and what the row must still be for the plan to hold.
    public struct PaymentUpdate: Sendable, Hashable {
        /// Which parts of the row the plan changes, so a store writes (and re-indexes) only those.
        public struct Parts: OptionSet, Sendable, Hashable {
            public let rawValue: Int
            public init(rawValue: Int) { self.rawValue = rawValue }
            /// State, version, reservation, failure and the time of the change.
            public static let lifecycle = Parts(rawValue: 1)
            /// The file, batch, trace, line and entry date it is bound to.
            public static let submission = Parts(rawValue: 2)
            /// The counterparty's name and account.
            public static let counterparty = Parts(rawValue: 4)
            /// When it settles: a same-day payment moved to next day, as its request allowed.
            public static let settlement = Parts(rawValue: 8)
            /// The approvals given to a payment held for approval.
            public static let approval = Parts(rawValue: 16)
        }

        /// The row as it is after the plan.
        public var payment: Payment
        public var parts: Parts
        /// The version the plan was computed from; a row at another version refuses the whole plan.
        public var expectedVersion: Int
        /// The file the payment was bound to when read (nil: unbound); checked with the version,
        /// because binding to a file does not move the version on.
        public var expectedFileID: String?
    }

    /// A new payment and the idempotency key that created it.
    public struct NewPayment: Sendable, Hashable {
        public var payment: Payment
        public var fingerprint: String
        /// The payment document first answered, replayed for the same key once the payment is final.
        public var response: Data?
    }

    /// A notification of change recorded for later payments to the same account.
    public struct Correction: Sendable, Hashable {
        public var correction: CounterpartyCorrection
        public var inboundFileID: String
        public var createdAt: Date
    }

    /// A batch a settlement report settled: a batch is settled once.
    public struct SettledBatch: Sendable, Hashable {
        public var fileID: String
        public var batchNumber: Int
        public var inboundFileID: String
        public var amount: Int64
    }

    /// One state change for every payment bound to a file (a file at the bank: P_VALIDATED →
    /// P_SUBMITTED_TO_CORE), written set-based. The planner checked the transition and every
    /// payment as read; the store moves each bound row at `from` one version on, with a history row
    /// naming the file and the row's line, and refuses the whole plan unless exactly `count` rows
    /// were still at `from`.
    public struct FileTransition: Sendable, Hashable {
        public var fileID: String
        public var from: PaymentState
        public var to: PaymentState
        public var count: Int
        public var actor: Actor
        public var reasonCode: String
        public var reasonText: String
        /// The history rows' source: the file; each row adds its own line.
        public var source: SourceReference
        public var at: Date
    }

    public var newPayments: [NewPayment] = []
    public var fileTransitions: [FileTransition] = []
    public var updates: [PaymentUpdate] = []
    public var history: [HistoryEntry] = []
    public var funds: [FundsMove] = []
    public var corrections: [Correction] = []
    /// What the bank said that the ledger contradicts, one line each (the history rows carry them
    /// too): the bank file that said it is flagged for a person.
    public var discrepancies: [String] = []
    /// Payments this plan fails because the bank rejected their file or batch (ingest's summary, alerts).
    public var rejections = 0
    public var settledBatches: [SettledBatch] = []
    public var events: [OutboxEvent] = []
    /// Approvers' decisions; an item's ordinal already taken refuses the plan (`Approval.ordinal`).
    public var approvals: [Approval] = []

    public init() {}
}

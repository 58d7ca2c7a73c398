import Foundation

/// Everything one operation on check issues changes, computed by `CheckPlanner` from the checks
/// as read. A store persists it in one transaction, all or nothing, with set-based statements.
public struct CheckPlan: Sendable {
    public struct NewCheck: Sendable, Hashable {
        public var check: CheckIssue
        /// The request's fingerprint, kept with the idempotency key.
        public var fingerprint: String
        /// The first response, kept for replays when the intake asked for it.
        public var response: Data?
    }

    /// A check row to write over; a row at another version, or with other records placed, refuses
    /// the whole plan (`conflict`): placing a record in a file does not move the version on.
    public struct Update: Sendable, Hashable {
        public var check: CheckIssue
        public var expectedVersion: Int
        public var expectedIssueFileID: String?
        public var expectedVoidFileID: String?
    }

    public var newChecks: [NewCheck] = []
    public var updates: [Update] = []
    public var history: [HistoryEntry] = []
    /// One state change for every check issued in a file (the file at the bank), written set-based
    /// as payments' are: each check whose issue record is in the file and still at `from` moves one
    /// version on with a history row naming the file and its record's line; the plan is refused
    /// unless exactly `count` were.
    public var fileTransitions: [LedgerPlan.FileTransition] = []
    /// Exceptions a bank file raised.
    public var newExceptions: [CheckException] = []
    /// An exception's status moving on (decided, closed), refused unless it is still at `from`.
    public struct ExceptionChange: Sendable, Hashable {
        public var exceptionID: String
        public var from: CheckException.Status
        public var to: CheckException.Status
    }
    public var exceptionChanges: [ExceptionChange] = []
    public var newDecisions: [ExceptionDecision] = []
    /// A decision row to write over; refused unless it is still at `expectedVersion` and `expectedFileID`.
    public struct DecisionUpdate: Sendable, Hashable {
        public var decision: ExceptionDecision
        public var expectedVersion: Int
        public var expectedFileID: String?
    }
    public var decisionUpdates: [DecisionUpdate] = []
    public var decisionHistory: [HistoryEntry] = []
    /// Webhook events for the checks' and exceptions' changes, written with them.
    public var events: [OutboxEvent] = []
    /// What the bank said that the ledger contradicts, one line each (the history rows carry them
    /// too): the bank file that said it is flagged for a person.
    public var discrepancies: [String] = []

    public init() {}
}

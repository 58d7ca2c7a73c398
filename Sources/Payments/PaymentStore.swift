import Foundation
import NACHA

/// Everything metl asks of storage; each store implementation provides all of it.
public typealias LedgerStore = PaymentStore & OutboundFileStore & InboundFileStore & WebhookStore & APIKeyStore

/// What callers ask of storage. SQLite implements it today; a PostgreSQL implementation can be added
/// behind the same protocol, and passes the same contract suite.
///
/// A store persists; it decides nothing. Each mutating operation reads what it needs, asks
/// `LedgerPlanner` for the plan, and persists that plan, in one transaction: all of it or none.
///
/// **Isolation.** Two writers may touch the same payment or balance at once, from any number of
/// processes or machines; the outcome is always one of the serial orders:
/// - a payment row is written only at the version (and file binding) its plan was computed from;
///   otherwise the whole plan is refused with `PaymentError.Code.conflict` and nothing is written;
///   the caller reads again and re-plans, or reports;
/// - a balance never goes below zero: funds checks are decided on a balance no other writer can
///   move before the plan commits (the implementation locks it, or retries on conflict), and a
///   constraint refuses an overdraft regardless;
/// - an idempotency key creates at most one payment: a second writer with the same key gets the
///   first one's payment (same request) or `idempotencyKeyReused` (another request);
/// - outbox events commit with their change and never without it.
/// Nothing here relies on a database allowing a single writer.
public protocol PaymentStore: Sendable {
    func addMerchant(name: String, companyID: String, companyName: String) async throws(PaymentError) -> Merchant
    /// Finds a merchant by id (`mer_…`) or by name.
    func merchant(_ idOrName: String) async throws(PaymentError) -> Merchant
    func merchants() async throws(PaymentError) -> [Merchant]
    /// Adds funds to a merchant's balance, with a ledger entry.
    func fund(merchantID: String, amount: Int64, actor: Actor, reference: String) async throws(PaymentError) -> Merchant

    /// Stores each intake atomically: all are applied or none. For each: an existing payment with the
    /// same (merchant, idempotency key) and fingerprint is returned as it is; a different fingerprint
    /// fails the whole call with `idempotencyKeyReused`. New payments are created, validated and funds-checked.
    func intake(_ intakes: [PaymentIntake]) async throws(PaymentError) -> [IntakeOutcome]

    /// Takes in each intake independently, all in one durable transaction (group commit): a refused
    /// intake (reused key, unknown merchant) is rolled back alone and reported in its slot. Throws only
    /// when the transaction itself fails, in which case nothing was stored.
    func intakeEach(_ intakes: [PaymentIntake]) async throws(PaymentError) -> [Result<IntakeOutcome, PaymentError>]

    func payment(id: String) async throws(PaymentError) -> Payment
    func history(paymentID: String) async throws(PaymentError) -> [HistoryEntry]
    func payments(_ query: PaymentQuery) async throws(PaymentError) -> [Payment]

    /// Applies state changes to one payment in order, each checked against the transition table and
    /// each leaving a history row, all in one transaction. A failure releases any funds reservation.
    func transition(paymentID: String, steps: [TransitionStep]) async throws(PaymentError) -> Payment

    /// Persists a plan computed elsewhere by `LedgerPlanner`, in one transaction, under the isolation
    /// rules above: a payment no longer as the plan read it refuses the whole plan with `conflict`.
    func persist(_ plan: LedgerPlan) async throws(PaymentError)

    func countsByState() async throws(PaymentError) -> [PaymentState: Int]
    /// Forgets the idempotency keys of payments that became final before `cutoff`; returns how many.
    func purgeIdempotencyKeys(finalBefore cutoff: Date) async throws(PaymentError) -> Int
    /// Throws when the database cannot be read.
    func checkReachable() async throws(PaymentError)
}

/// One payment to take in.
public struct PaymentIntake: Sendable, Hashable {
    public var merchantID: String
    public var idempotencyKey: String
    public var request: ValidatedRequest
    public var actor: Actor
    public var source: SourceReference?
    /// Keep the first response (the payment document as created) with the key, for replays.
    public var keepsResponse: Bool

    public init(merchantID: String, idempotencyKey: String, request: ValidatedRequest, actor: Actor,
                source: SourceReference? = nil, keepsResponse: Bool = false) {
        self.merchantID = merchantID
        self.idempotencyKey = idempotencyKey
        self.request = request
        self.actor = actor
        self.source = source
        self.keepsResponse = keepsResponse
    }
}

public struct IntakeOutcome: Sendable, Hashable {
    public var payment: Payment
    /// False when the idempotency key returned an existing payment.
    public var created: Bool
    /// The payment document first answered for this key, when the intake kept it.
    public var firstResponse: Data?
    public init(payment: Payment, created: Bool, firstResponse: Data? = nil) {
        self.payment = payment
        self.created = created
        self.firstResponse = firstResponse
    }
}

/// One state change to apply: target state, reason and provenance.
public struct TransitionStep: Sendable, Hashable {
    public var to: PaymentState
    public var actor: Actor
    public var reasonCode: String
    public var reasonText: String
    public var source: SourceReference?
    /// Set on the failure a step records on the payment (`P_FAILED` steps).
    public var failure: Failure?

    public init(to: PaymentState, actor: Actor, reasonCode: String, reasonText: String,
                source: SourceReference? = nil, failure: Failure? = nil) {
        self.to = to
        self.actor = actor
        self.reasonCode = reasonCode
        self.reasonText = reasonText
        self.source = source
        self.failure = failure
    }
}

public struct PaymentQuery: Sendable, Hashable {
    public var merchantID: String?
    public var state: PaymentState?
    /// Only payments whose id sorts after this one (ids are time-ordered): the pagination cursor.
    public var afterID: String?
    public var createdAfter: Date?
    public var limit: Int
    public init(merchantID: String? = nil, state: PaymentState? = nil, afterID: String? = nil, createdAfter: Date? = nil,
                limit: Int = 1_000) {
        self.merchantID = merchantID
        self.state = state
        self.afterID = afterID
        self.createdAfter = createdAfter
        self.limit = limit
    }
}

/// Named points where tests can make an operation fail, to prove that what should be atomic is.
/// Product code calls `hit(_:)`; without an injector armed it does nothing.
public struct FaultInjector: Sendable {
    public struct Point: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Inside a transition, after the state update and before its history row.
        public static let afterStateUpdate = Point(rawValue: "after_state_update")
        /// Inside an intake, after the payment row and before validation.
        public static let afterPaymentInsert = Point(rawValue: "after_payment_insert")
        /// The readiness check's database read.
        public static let databaseCheck = Point(rawValue: "database_check")
    }

    public struct Injected: Error, Sendable { public let point: Point }

    private let armed: @Sendable (Point) -> Bool

    public init(armed: @escaping @Sendable (Point) -> Bool) {
        self.armed = armed
    }

    public static let none = FaultInjector { _ in false }

    public func hit(_ point: Point) throws {
        if armed(point) { throw Injected(point: point) }
    }
}

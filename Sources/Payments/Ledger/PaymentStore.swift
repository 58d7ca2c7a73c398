import Foundation

/// What callers ask of storage. SQLite (`SQLiteStore`) and PostgreSQL (`PostgresStore`) implement
/// it, and pass the same contract suite.
///
/// A store reads and persists; it decides nothing. The writes (`PaymentOperations`: intake,
/// transitions, funding) read through it, ask `LedgerPlanner` for the plan, and persist that plan in
/// one transaction, all of it or none, planning again when what they read changed meanwhile.
///
/// **Isolation.** Two writers may touch the same payment or balance at once, from any number of
/// processes or machines; the outcome is always one of the serial orders:
/// - a payment row is written only at the version (and file binding) its plan was computed from;
///   otherwise the whole plan is refused with `StoreError.Code.conflict` and nothing is written;
///   the caller reads again and re-plans, or reports;
/// - a balance never goes below zero: funds checks are decided on a balance no other writer can
///   move before the plan commits (the implementation locks it, or retries on conflict), and a
///   constraint refuses an overdraft regardless;
/// - an idempotency key creates at most one payment: a second writer with the same key gets the
///   first one's payment (same request) or `idempotencyKeyReused` (another request);
/// - outbox events commit with their change and never without it.
/// Nothing here relies on a database allowing a single writer.
///
/// **Errors.** Every method throws a `PaymentError` for a domain refusal (unknown merchant, reused key,
/// a transition the table refuses) and a `StoreError` when storage fails or a plan conflicts. The
/// other store protocols follow the same rule.
public protocol PaymentStore: Sendable {
    func addMerchant(name: String, companyID: String, companyName: String) async throws -> Merchant
    /// Finds a merchant by id (`mer_…`) or by name.
    func merchant(_ idOrName: String) async throws -> Merchant
    func merchants() async throws -> [Merchant]

    /// Reads what `intakes` need (`IntakeReads`: each key's earlier payment, each merchant's
    /// balance, each account's latest correction; and the merchants' enabled endpoints), hands them
    /// to `plan` (`PaymentOperations`), and persists the plan it returns, all in one transaction. A
    /// key held by a pending import other than `importID` is a `conflict`, as is a write the plan
    /// no longer fits. Under a pending import (`importID`) the balances are net of what it staged and
    /// the plan is staged under it (`notFound` once the import is no longer pending).
    func takeIn<Outcome: Sendable>(_ intakes: [PaymentIntake], stagedIn importID: String?,
                                   plan: @escaping @Sendable (IntakeReads, [String: [WebhookEndpoint]]) throws -> (LedgerPlan, Outcome))
        async throws -> Outcome

    /// The enabled webhook endpoints of these merchants, which a plan's events fan out to.
    func enabledEndpoints(merchants: Set<String>) async throws -> [String: [WebhookEndpoint]]

    func payment(id: String) async throws -> Payment
    func history(paymentID: String) async throws -> [HistoryEntry]
    /// The history of each of these payments, by payment id then version: a page's histories in one read.
    func history(paymentIDs: [String]) async throws -> [HistoryEntry]
    func payments(_ query: PaymentQuery) async throws -> [Payment]

    /// Persists a plan computed elsewhere by `LedgerPlanner`, in one transaction, under the isolation
    /// rules above: a payment no longer as the plan read it refuses the whole plan with `conflict`.
    func persist(_ plan: LedgerPlan) async throws

    func countsByState() async throws -> [PaymentState: Int]
    /// Forgets the idempotency keys of payments that became final before `cutoff`; returns how many.
    func purgeIdempotencyKeys(finalBefore cutoff: Date) async throws -> Int
    /// Throws when the database cannot be read.
    func checkReachable() async throws
    /// The schema version the database is at: opening a store brings it to this build's newest.
    func schemaVersion() async throws -> Int
}

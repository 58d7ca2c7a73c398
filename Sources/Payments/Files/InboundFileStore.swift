import BankFiles
import Foundation

/// Storage for ingest: the inbound ledger, lookups that match bank data to our payments, and the
/// one-transaction application of a file's plan.
public protocol InboundFileStore: Sendable {
    /// A file already received with these bytes (processed, applying or quarantined), if any.
    func inboundFile(sha256: String) async throws -> InboundFile?
    /// The file with this inbound id (`inb_…`); `notFound` when there is none.
    func inboundFile(id: String) async throws -> InboundFile
    func inboundFiles() async throws -> [InboundFile]
    /// Every history row the file wrote, payments first, then check issues and decisions, each in
    /// the file's line order.
    func changes(byInboundFile id: String) async throws -> [InboundChange]
    /// The discrepancies bank files reported (`BankEvent.discrepancyCode` rows on payments and check
    /// issues) written at or after `since`, payments first, each oldest first.
    func discrepancies(since: Date) async throws -> [InboundChange]
    /// Records a file that is not applied (quarantined or duplicate).
    func recordInbound(_ file: InboundFile) async throws
    /// A quarantined file an operator retried: records its new status (`applying` at event 0, to be
    /// applied by `applyInbound` from there, or `quarantined` again), reason and notes. Refused with
    /// `conflict` unless it is still quarantined, so two retries never both apply it.
    func retryInbound(_ file: InboundFile) async throws
    /// Records `dismissal` on quarantined file `id`, now `dismissed`. Refused with `conflict` unless
    /// it is still quarantined, so a retry and a dismissal never both happen.
    func dismissInbound(id: String, _ dismissal: InboundFile.Dismissal) async throws
    /// Persists `plan`, what the file's events (or one chunk of them) do (`LedgerPlanner`), and records
    /// `file` as it stands after it (`applying` with its `appliedEvents`, or `processed`), in one
    /// transaction. The first chunk (`after` nil) records the file and is refused when the same bytes
    /// were recorded before; a later one is refused with `conflict` unless the file is still applying
    /// at `after` events, so no chunk is ever applied twice. A payment changed since the plan read it
    /// is a `conflict` too. `checks` is what the file does to check issues (`CheckPlanner`), in the
    /// same transaction.
    func applyInbound(_ file: InboundFile, plan: LedgerPlan, checks: CheckPlan, after appliedEvents: Int?) async throws

    /// Payments by id; an id with no payment is left out.
    func payments(ids: [String]) async throws -> [String: Payment]

    /// Payments by the trace numbers we assigned them.
    func payments(traceNumbers: [Int]) async throws -> [Int: Payment]
    /// Our outbound file with this header identity (origin, destination, `YYMMDD`, `HHMM`, modifier).
    func outboundFile(origin: String, destination: String, creationDate: String, creationTime: String,
                      modifier: String) async throws -> OutboundFile?
    /// Batches of uploaded files no settlement report has settled yet: file, batch number, direction, total.
    func unsettledBatches() async throws -> [UnsettledBatch]
    /// For each outbound file, its payments' count and amount by state.
    func fileStateTotals() async throws -> [(file: OutboundFile, states: [PaymentState: (count: Int, amount: Int64)])]
    /// Payments in `state` whose last change is older than `before`.
    func payments(in state: PaymentState, changedBefore before: Date) async throws -> [Payment]
}

extension InboundFileStore {
    /// A file that changes payments only.
    public func applyInbound(_ file: InboundFile, plan: LedgerPlan, after appliedEvents: Int?) async throws {
        try await applyInbound(file, plan: plan, checks: CheckPlan(), after: appliedEvents)
    }
}

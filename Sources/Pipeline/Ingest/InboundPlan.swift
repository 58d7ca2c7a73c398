import BankFiles
import Payments

/// What one bank file does: the events for our payments, the corrections and settled batches to
/// record, and notes for a person. Ingest plans it on our payments (`LedgerPlanner`), and the store
/// writes that plan with the file in one transaction.
public struct InboundPlan: Sendable {
    public var events: [BankEvent] = []
    public var corrections: [CounterpartyCorrection] = []
    public var settledBatches: [UnsettledBatch] = []
    /// Things a person should know that did not stop the file (unmatched settlement lines, pended acks).
    public var notes: [String] = []

    public init() {}
}

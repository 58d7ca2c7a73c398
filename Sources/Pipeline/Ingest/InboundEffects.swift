import Payments

/// What applying a bank file did beyond the changes it applied, for ingest's summary and exit
/// status: exceptions it opened, discrepancies with the ledger it found, records it noted and did
/// not apply, and the notes an operator reads.
public struct InboundEffects: Sendable, Hashable {
    public var exceptionsOpened = 0
    /// Records that contradict the ledger: each a `discrepancy` row on its payment or check.
    public var discrepancies = 0
    /// Notes for the operator: the processor's (refused or unmatched records, a format's warnings)
    /// and one per discrepancy.
    public var notes: [String] = []

    public init() {}

    /// The notes that are not discrepancies: records the file carried that were noted, not applied.
    public var noted: Int { max(0, notes.count - discrepancies) }

    /// A history row of a bank file that is a change applied: not a discrepancy, nor the note an
    /// exception leaves on its check (those are counted as what they are).
    static func isChange(_ entry: HistoryEntry) -> Bool {
        entry.reasonCode != BankEvent.discrepancyCode && entry.reasonCode != CheckPlanner.exceptionOpenedCode
    }
}

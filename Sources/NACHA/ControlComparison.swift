/// One control value of a file: what its file control record declares next to what its records
/// add up to. `metl inspect` prints them and the console shows them.
public struct ControlComparison: Sendable, Hashable {
    public var name: String
    /// Nil when the file has no file control record.
    public var declared: Int64?
    public var computed: Int64
    /// An amount in cents rather than a count or hash.
    public var isAmount: Bool

    public var matches: Bool { declared == computed }
}

extension ReadResult {
    /// The file control's batch count, block count, entry/addenda count, entry hash and totals,
    /// each against the value recomputed from the records.
    public var controlComparisons: [ControlComparison] {
        let declared = declaredTotals
        func count(_ name: String, _ declared: Int?, _ computed: Int) -> ControlComparison {
            ControlComparison(name: name, declared: declared.map(Int64.init), computed: Int64(computed), isAmount: false)
        }
        return [
            count("batch_count", declaredBatchCount, computedBatchCount),
            count("block_count", declaredBlockCount, computedBlockCount),
            count("entry_addenda_count", declared?.entryAddendaCount, computedTotals.entryAddendaCount),
            count("entry_hash", declared?.entryHash, computedTotals.entryHash),
            ControlComparison(name: "total_debit", declared: declared?.totalDebit, computed: computedTotals.totalDebit, isAmount: true),
            ControlComparison(name: "total_credit", declared: declared?.totalCredit, computed: computedTotals.totalCredit, isAmount: true),
        ]
    }
}

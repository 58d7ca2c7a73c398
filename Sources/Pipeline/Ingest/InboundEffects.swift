import Payments

/// What applying a bank file did beyond the changes it applied, for ingest's summary and exit
/// status: exceptions it opened, discrepancies with the ledger it found, records it noted and did
/// not apply, and the notes an operator reads. A hostile file can make a note of every line, so
/// only the first `keptNotes` are kept (in memory and on the file's record); the counts are whole.
public struct InboundEffects: Sendable, Hashable {
    public var exceptionsOpened = 0
    /// Payments the bank rejected (a rejected file or batch of an acknowledgement).
    public var rejected = 0
    /// Records that contradict the ledger: each a `discrepancy` row on its payment or check.
    public private(set) var discrepancies = 0
    /// Records noted and not applied (refused, unmatched), and other notes of the processor's.
    public private(set) var noted = 0
    /// The first notes: the processor's and one per discrepancy, in the order they came.
    public private(set) var notes: [String] = []

    /// The most notes a file keeps.
    public static let keptNotes = 1_000

    public init() {}

    mutating func note(_ texts: [String]) {
        noted += texts.count
        keep(texts)
    }

    mutating func discrepancy(_ texts: [String]) {
        discrepancies += texts.count
        keep(texts.map { "discrepancy: \($0)" })
    }

    private mutating func keep(_ texts: [String]) {
        notes += texts.prefix(max(0, Self.keptNotes - notes.count))
    }

    /// The notes to keep on the file's record: the first ones, then how many more there were.
    var keptNotes: [String] {
        let omitted = noted + discrepancies - notes.count
        return omitted > 0 ? notes + ["… and \(omitted) more notes like these (each discrepancy is also in its payment's or check's history)"] : notes
    }

    /// A history row of a bank file that is a change applied: not a discrepancy, nor the note an
    /// exception leaves on its check (those are counted as what they are).
    static func isChange(_ entry: HistoryEntry) -> Bool {
        entry.reasonCode != BankEvent.discrepancyCode && entry.reasonCode != CheckPlanner.exceptionOpenedCode
    }
}

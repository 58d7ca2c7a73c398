/// A batch: its header, entries and the optional message authentication code of its control record.
/// Counts, hash and totals are not stored: the writer computes them and the reader checks them.
public struct Batch: Sendable, Hashable {
    public var header: BatchHeader
    public var entries: [Entry]
    public var messageAuthenticationCode: String = ""

    public init(header: BatchHeader, entries: [Entry], messageAuthenticationCode: String = "") {
        self.header = header
        self.entries = entries
        self.messageAuthenticationCode = messageAuthenticationCode
    }

    public var totals: ControlTotals {
        var totals = ControlTotals()
        for entry in entries { totals.add(entry.detail, addendaCount: entry.addenda.count) }
        return totals
    }

    /// The declared class, or the narrowest one the entries allow.
    public var effectiveServiceClass: ServiceClassCode {
        if let declared = header.serviceClass { return declared }
        return .narrowest(hasCredits: entries.contains { $0.detail.transactionCode.isCredit },
                          hasDebits: entries.contains { $0.detail.transactionCode.isDebit })
    }
}

/// A whole NACHA file as a typed model.
public struct ACHFile: Sendable, Hashable {
    public var header: FileHeader
    public var batches: [Batch]

    public init(header: FileHeader, batches: [Batch]) {
        self.header = header
        self.batches = batches
    }

    public var totals: ControlTotals {
        var totals = ControlTotals()
        for batch in batches { totals.add(batch.totals) }
        return totals
    }

    /// Records excluding padding: header, each batch's header + entries + addenda + control, file control.
    public var recordCount: Int {
        2 + batches.reduce(0) { $0 + 2 + $1.totals.entryAddendaCount }
    }

    public var blockCount: Int { (recordCount + NACHA.blockingFactor - 1) / NACHA.blockingFactor }

    /// The line each entry detail record is written at, by batch then entry: the layout `Writer`
    /// follows (file header, then per batch its header, each entry with its addenda, its control).
    public var entryLines: [[Int]] {
        var line = 1
        return batches.map { batch in
            line += 1
            let lines = batch.entries.map { entry in
                line += 1
                defer { line += entry.addenda.count }
                return line
            }
            line += 1
            return lines
        }
    }
}

import Foundation
import NACHA

/// A payment's outbound file, batch and trace number: what a bank names when it reports on the entry.
/// Also the line of its entry record and the effective entry date of its batch, which settlement
/// reports are matched against.
public struct Submission: Sendable, Hashable, Codable {
    public var fileID: String
    public var batchNumber: Int
    public var traceNumber: Int
    public var line: Int
    public var entryEffectiveDate: ACHDate?
    public init(fileID: String, batchNumber: Int, traceNumber: Int, line: Int, entryEffectiveDate: ACHDate?) {
        self.fileID = fileID
        self.batchNumber = batchNumber
        self.traceNumber = traceNumber
        self.line = line
        self.entryEffectiveDate = entryEffectiveDate
    }

    public var traceNumberText: String { TraceNumber.text(traceNumber) }
}

import Foundation
import NACHA

/// A payment's place in an outbound file: batch, trace number, the line of its entry record and the
/// effective entry date its batch carries (which settlement reports are matched against).
public struct FileBinding: Sendable, Hashable {
    public var paymentID: String
    public var batchNumber: Int
    public var traceNumber: Int
    public var line: Int
    public var effectiveDate: ACHDate?

    public init(paymentID: String, batchNumber: Int, traceNumber: Int, line: Int, effectiveDate: ACHDate? = nil) {
        self.paymentID = paymentID
        self.batchNumber = batchNumber
        self.traceNumber = traceNumber
        self.line = line
        self.effectiveDate = effectiveDate
    }
}

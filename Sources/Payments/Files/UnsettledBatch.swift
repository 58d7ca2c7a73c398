import BankFiles
import Foundation

/// A batch we sent that no settlement report has settled yet; `total` counts every entry of the batch
/// (the bank settles the batch as sent; returns come back separately).
public struct UnsettledBatch: Sendable, Hashable {
    public var fileID: String
    public var fileName: String
    public var batchNumber: Int
    public var isCredit: Bool
    public var total: Int64
    public var effectiveDate: String
    public var paymentIDs: [String]
    public init(fileID: String, fileName: String, batchNumber: Int, isCredit: Bool, total: Int64, effectiveDate: String,
                paymentIDs: [String]) {
        self.fileID = fileID
        self.fileName = fileName
        self.batchNumber = batchNumber
        self.isCredit = isCredit
        self.total = total
        self.effectiveDate = effectiveDate
        self.paymentIDs = paymentIDs
    }
}

import BankFiles
import Foundation

/// One file the bank sent, as the inbound ledger keeps it.
public struct InboundFile: Sendable, Hashable, Identifiable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Applied: all of its effects in one transaction.
        case processed
        /// The same bytes were received before; nothing was applied again.
        case duplicate
        /// Not applied; `reason` says why. An operator looks at it.
        case quarantined
    }

    public var id: String
    public var sha256: String
    public var kind: InboundKind
    /// Where it came from: a path or a remote location.
    public var source: String
    public var name: String
    public var size: Int64
    public var status: Status
    public var reason: String?
    /// Payment state changes and notes applied.
    public var applied: Int
    public var archivePath: String
    public var receivedAt: Date

    public init(id: String, sha256: String, kind: InboundKind, source: String, name: String, size: Int64, status: Status,
                reason: String? = nil, applied: Int = 0, archivePath: String, receivedAt: Date) {
        self.id = id
        self.sha256 = sha256
        self.kind = kind
        self.source = source
        self.name = name
        self.size = size
        self.status = status
        self.reason = reason
        self.applied = applied
        self.archivePath = archivePath
        self.receivedAt = receivedAt
    }
}

/// Storage for ingest: the inbound ledger, lookups that match bank data to our payments, and the
/// one-transaction application of a file's events.
public protocol InboundFileStore: Sendable {
    /// A file already received with these bytes (processed or quarantined), if any.
    func inboundFile(sha256: String) async throws(PaymentError) -> InboundFile?
    func inboundFiles() async throws(PaymentError) -> [InboundFile]
    /// Records a file that is not applied (quarantined or duplicate).
    func recordInbound(_ file: InboundFile) async throws(PaymentError)
    /// Records `file` as processed and applies every event and correction, all in one transaction;
    /// throws (applying nothing) when an event names an unknown payment or the bytes were applied before.
    func applyInbound(_ file: InboundFile, events: [BankEvent], corrections: [CounterpartyCorrection],
                      settledBatches: [UnsettledBatch]) async throws(PaymentError) -> Int

    /// Payments by the trace numbers we assigned them.
    func payments(traceNumbers: [Int]) async throws(PaymentError) -> [Int: Payment]
    /// Our outbound file with this header identity (origin, destination, `YYMMDD`, `HHMM`, modifier).
    func outboundFile(origin: String, destination: String, creationDate: String, creationTime: String,
                      modifier: String) async throws(PaymentError) -> OutboundFile?
    /// Batches of uploaded files no settlement report has settled yet: file, batch number, direction, total.
    func unsettledBatches() async throws(PaymentError) -> [UnsettledBatch]
    /// For each outbound file, its payments' count and amount by state.
    func fileStateTotals() async throws(PaymentError) -> [(file: OutboundFile, states: [PaymentState: (count: Int, amount: Int64)])]
    /// Payments in `state` whose last change is older than `before`.
    func payments(in state: PaymentState, changedBefore before: Date) async throws(PaymentError) -> [Payment]
}

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

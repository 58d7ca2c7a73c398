import BankFiles
import Payments

/// Turns one kind of bank file into what it does to our payments. There is one per inbound kind,
/// registered with `IngestJob`, which detects, dedupes and archives a file before it dispatches it:
/// adding a kind means adding a processor, not editing ingest.
public protocol InboundProcessor: Sendable {
    var kind: InboundKind { get }
    /// Whether a file starting with these bytes (up to 4 KiB) is of this kind.
    func recognises(_ head: [UInt8]) -> Bool
    /// The file's effects on our payments, read from `store`; throws `InboundQuarantine` when the
    /// file cannot be applied exactly, in which case nothing of it is applied.
    func plan(_ bytes: [UInt8], fileID: String, store: any OutboundFileStore & InboundFileStore) async throws -> InboundPlan
}

/// What one bank file does: the events for our payments, the corrections and settled batches to
/// record, and notes for a person. The store applies all of it in one transaction.
public struct InboundPlan: Sendable {
    public var events: [BankEvent] = []
    public var corrections: [CounterpartyCorrection] = []
    public var settledBatches: [UnsettledBatch] = []
    /// Things a person should know that did not stop the file (unmatched settlement lines, pended acks).
    public var notes: [String] = []

    public init() {}
}

extension InboundProcessor {
    /// The bank's own formats are told apart by `InboundKind.detect`.
    public func recognises(_ head: [UInt8]) -> Bool { InboundKind.detect(head) == kind }
}

/// Why a file is quarantined rather than applied.
public struct InboundQuarantine: Error, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

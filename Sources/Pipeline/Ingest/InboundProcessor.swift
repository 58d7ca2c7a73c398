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

extension InboundProcessor {
    /// The bank's own formats are told apart by `InboundKind.detect`.
    public func recognises(_ head: [UInt8]) -> Bool { InboundKind.detect(head) == kind }
}

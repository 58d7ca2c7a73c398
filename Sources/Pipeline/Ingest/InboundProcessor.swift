import BankFiles
import Foundation
import Payments

/// Turns one kind of bank file into what it does to our payments. There is one per inbound kind,
/// registered with `IngestJob`, which detects, dedupes and archives a file before it dispatches it:
/// adding a kind means adding a processor, not editing ingest.
///
/// A processor reads the archived file and hands on its effects a piece at a time
/// (`InboundPieces`), so a file of a million entries is never held whole: ingest reads it once to
/// decide it whole and once more to apply it, a piece per transaction.
public protocol InboundProcessor: Sendable {
    var kind: InboundKind { get }
    /// Whether a file starting with these bytes (up to 4 KiB) is of this kind.
    func recognises(_ head: [UInt8]) -> Bool
    /// Reads the archived file at `path` and hands `body` its effects on our payments, in file order,
    /// in pieces of about `pieceSize` events, reading `store` for what it needs. Time rules (a
    /// deadline already past) are judged at `now`, the job's clock when it took up the file (one
    /// time for both reads). The
    /// same bytes on the same ledger give the same pieces, which is what a resume point counts on. Throws
    /// `InboundQuarantine` when the file cannot be applied exactly; `IngestJob` reads every piece before
    /// it applies any, so a quarantine never comes after something was written.
    func read(_ path: String, from archive: Archive, fileID: String, now: Date, store: any LedgerStore,
              pieceSize: Int, _ body: (PieceEvents) async throws -> Void) async throws
}

extension InboundProcessor {
    /// The bank's own formats are told apart by `InboundKind.detect`.
    public func recognises(_ head: [UInt8]) -> Bool { InboundKind.detect(head) == kind }
}

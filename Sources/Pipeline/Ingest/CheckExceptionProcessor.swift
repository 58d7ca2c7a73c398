import BankFiles
import Foundation
import Payments

/// Exceptions from the bank, read through an `ExceptionSource` (the canonical exception file) a
/// record at a time: each one is matched to the enrolled account and, by serial and amount, to the
/// check it names, and recorded `open` with a note in that check's history. One record that cannot
/// be taken (not enrolled, an id the decision file could not carry, a deadline already past) is
/// refused with a note on the file, and the others still are taken; an exception already recorded
/// (the same bank id on the account) is noted, not recorded twice. Exceptions are written a piece
/// at a time like events, so a file of millions of records is read in bounded memory.
public struct CheckExceptionProcessor: InboundProcessor {
    public let kind = InboundKind.checkExceptions

    public init() {}

    public func recognises(_ head: [UInt8]) -> Bool { CanonicalExceptionFile.recognises(head) }

    public func read(_ path: String, from archive: Archive, fileID: String, now: Date, store: any LedgerStore,
                     pieceSize: Int, _ body: (PieceEvents) async throws -> Void) async throws {
        var source = CanonicalExceptionFile(reader: try archive.pieces(of: path), now: now)
        var matcher = try await CheckMatcher(store: store)
        var pieces = InboundPieces(size: pieceSize)
        // Ids opened in the piece being made and the one before it (which ingest holds back before
        // writing it); earlier pieces are in the store. Memory stays bounded however long the file.
        var opening: Set<String> = [], held: Set<String> = []
        while let (line, record) = try source.next() {
            let presented: PresentedException
            switch record {
            case .success(let exception): presented = exception
            case .failure(let refused):
                pieces.note("line \(line): exception record refused, not recorded: \(refused.reason)")
                continue
            }
            guard let account = try matcher.account(number: presented.accountNumber, line: line) else {
                pieces.note("line \(line): exception \(presented.bankReference) names account ****\(presented.accountNumber.suffix(4)), "
                            + "which is not enrolled; not recorded")
                continue
            }
            let key = account.id + "\u{0}" + presented.bankReference
            let source = SourceReference.inboundFile(id: fileID, line: line)
            // Recorded from this very line is this file applied before (a resumed run): opened again, to be
            // dropped with the events already applied. Recorded from anywhere else is a duplicate.
            let recorded = try await store.checkException(accountID: account.id, bankReference: presented.bankReference)
            if opening.contains(key) || held.contains(key) || (recorded != nil && recorded?.source != source) {
                pieces.note("line \(line): exception \(presented.bankReference) on \(account.id) was already recorded")
                continue
            }
            let check = try await matcher.exceptionCheck(serial: presented.serial, issuedAmount: presented.issuedAmount, on: account)
            let exception = CheckException(
                id: recorded?.id ?? Identifier.make(prefix: CheckException.idPrefix), bankReference: presented.bankReference, merchantID: account.merchantID,
                accountID: account.id, checkID: check?.id, serial: CheckIssue.matchingSerial(presented.serial),
                presentedAmount: presented.presentedAmount, issuedAmount: presented.issuedAmount ?? check?.amount,
                presentedPayee: presented.payee, reason: presented.reason, defaultDecision: presented.defaultDecision,
                deadline: presented.deadline, status: .open, source: source, createdAt: now)
            opening.insert(key)
            // The check as the matcher read it at the start is stale once an exception noted it: ingest
            // reads it when it plans the piece, instead of being refused for an old version.
            if let full = pieces.open(exception, read: nil) {
                try await body(full)
                (held, opening) = (opening, [])
            }
        }
        try await body(pieces.finish())
    }
}

import BankFiles
import Foundation
import Payments

/// Exceptions from the bank, read through an `ExceptionSource` (the canonical exception file): each
/// one is matched to the enrolled account and, by serial, to the check it names, and recorded
/// `open` with a note in that check's history. An account that is not enrolled quarantines the
/// whole file; an exception already recorded (the same bank id on the account) is noted, not
/// recorded twice.
public struct CheckExceptionProcessor: InboundProcessor {
    public let kind = InboundKind.checkExceptions

    public init() {}

    public func recognises(_ head: [UInt8]) -> Bool { CanonicalExceptionFile.recognises(head) }

    public func read(_ path: String, from archive: Archive, fileID: String, store: any LedgerStore,
                     pieceSize: Int, _ body: (InboundPlan) async throws -> Void) async throws {
        let source = CanonicalExceptionFile(bytes: try archive.read(path))
        var matcher = try await CheckMatcher(store: store)
        var pieces = InboundPieces(size: pieceSize)
        var seen: Set<String> = []
        for (line, presented) in try source.exceptions() {
            guard let account = try matcher.account(number: presented.accountNumber, line: line) else {
                throw InboundQuarantine(reason: "line \(line): account ****\(presented.accountNumber.suffix(4)) is not enrolled; nothing applied")
            }
            let key = account.id + "\u{0}" + presented.bankReference
            let recorded = try await store.checkException(accountID: account.id, bankReference: presented.bankReference)
            if !seen.insert(key).inserted || recorded != nil {
                pieces.note("line \(line): exception \(presented.bankReference) on \(account.id) was already recorded")
                continue
            }
            let check = try await matcher.check(serial: presented.serial, on: account)
            let exception = CheckException(
                id: Identifier.make(prefix: "exc"), bankReference: presented.bankReference, merchantID: account.merchantID,
                accountID: account.id, checkID: check?.id, serial: CheckIssue.matchingSerial(presented.serial),
                presentedAmount: presented.presentedAmount, issuedAmount: presented.issuedAmount ?? check?.amount,
                presentedPayee: presented.payee, reason: presented.reason, defaultDecision: presented.defaultDecision,
                deadline: presented.deadline, status: .open, source: .inboundFile(id: fileID, line: line), createdAt: Date())
            pieces.open(exception, read: check)
        }
        try await body(pieces.finish())
    }
}

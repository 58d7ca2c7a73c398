import BankFiles
import Foundation
import NACHA
import Payments

/// The bank's ARP output (layout A): `O` outstanding puts a check on file (P_PROCESSING), `P` paid
/// (or `R` reconciled) with a matching amount completes it, `V` confirms its void, `S` notes a stop.
/// A paid record whose amount differs from the issue is not a payment: it opens an exception of
/// reason `amount_mismatch` for the company to decide, with `mismatchDefault` as the bank's default
/// and a deadline `decisionWindow` after the file is read (ARP output carries neither). An account
/// that is not enrolled, a serial we never issued, or an issue record (`I`: our own file, not the
/// bank's) quarantines the whole file.
public struct ARPOutputProcessor: InboundProcessor {
    public let kind = InboundKind.arpOutput
    public let mismatchDefault: CheckException.Decision
    public let decisionWindow: TimeInterval

    public init(mismatchDefault: CheckException.Decision = .return, decisionWindow: TimeInterval = 86_400) {
        self.mismatchDefault = mismatchDefault
        self.decisionWindow = decisionWindow
    }

    public func read(_ path: String, from archive: Archive, fileID: String, store: any LedgerStore,
                     pieceSize: Int, _ body: (InboundPlan) async throws -> Void) async throws {
        let records: [(line: Int, record: ARPRecord)]
        do {
            records = try ARPFile.parse(try archive.read(path))
        } catch let error as PositivePayFormatError {
            throw InboundQuarantine(reason: "invalid ARP output: \(error)")
        }
        var matcher = try await CheckMatcher(store: store)
        var pieces = InboundPieces(size: pieceSize)
        var mismatches: Set<String> = []
        for (line, record) in records {
            guard record.code != .issue else {
                throw InboundQuarantine(reason: "line \(line): an issue (I) record: this is an issue file, not the bank's output; nothing applied")
            }
            guard let account = try matcher.account(number: record.accountNumber, line: line) else {
                throw InboundQuarantine(reason: "line \(line): account ****\(record.accountNumber.suffix(4)) is not enrolled; nothing applied")
            }
            guard let check = try await matcher.check(serial: record.serial, on: account) else {
                throw InboundQuarantine(reason: "line \(line): no check \(record.serial) on account \(account.id); nothing applied")
            }
            let source = SourceReference.inboundFile(id: fileID, line: line)
            let kind: CheckEvent.Kind
            switch record.code {
            case .outstanding: kind = .onFile
            case .paid, .reconciled:
                guard record.amount == check.amount else {
                    try await openMismatch(record, on: check, account: account, source: source, into: &pieces, seen: &mismatches, store: store)
                    continue
                }
                kind = .paid(on: record.paidDate ?? record.issueDate)
            case .void: kind = .voided
            case .stop: kind = .stopped
            case .issue: continue
            }
            if let full = pieces.add(CheckEvent(checkID: check.id, kind: kind, source: source), read: check) { try await body(full) }
        }
        try await body(pieces.finish())
    }

    /// An exception for a check presented for another amount, once per presentment: the bank's
    /// reference is made of what identifies it (serial, date and amount), so the same record in
    /// a later file is noted, not opened again.
    private func openMismatch(_ record: ARPRecord, on check: CheckIssue, account: CheckAccount, source: SourceReference,
                              into pieces: inout InboundPieces, seen: inout Set<String>, store: any LedgerStore) async throws {
        let line = source.line ?? 0
        let reference = "ARP-\(check.serial)-\(record.paidDate ?? record.issueDate)-\(record.amount)"
        let text = "check \(record.serial) on \(account.id) presented for \(Dollars.format(record.amount)) against "
            + "\(Dollars.format(check.amount)) issued"
        guard seen.insert(reference).inserted, try await store.checkException(accountID: account.id, bankReference: reference) == nil else {
            pieces.note("line \(line): \(text): exception \(reference) was already recorded")
            return
        }
        let now = Date()
        pieces.note("line \(line): \(text): an amount mismatch, not paid; exception opened for a decision")
        pieces.open(CheckException(
            id: Identifier.make(prefix: "exc", at: now), bankReference: reference, merchantID: account.merchantID, accountID: account.id,
            checkID: check.id, serial: check.serial, presentedAmount: record.amount, issuedAmount: check.amount, presentedPayee: "",
            reason: .amountMismatch, defaultDecision: mismatchDefault, deadline: now.addingTimeInterval(decisionWindow), status: .open,
            source: source, createdAt: now), read: check)
    }
}

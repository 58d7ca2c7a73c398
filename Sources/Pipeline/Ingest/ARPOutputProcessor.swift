import BankFiles
import Foundation
import NACHA
import Payments

/// The bank's ARP output (layout A): `O` outstanding puts a check on file (P_PROCESSING), `P` paid
/// (or `R` reconciled) with a matching amount completes it, `V` confirms its void, `S` notes a stop.
/// A paid record whose amount differs from the issue is not a payment: it opens an exception of
/// reason `amount_mismatch` for the company to decide, with `mismatchDefault` as the bank's default
/// and a deadline `decisionWindow` after the file is read (ARP output carries neither). Once a pay
/// decision accepted that exception, the same paid record completes the check. An account
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

    public func read(_ path: String, from archive: Archive, fileID: String, now: Date, store: any LedgerStore,
                     pieceSize: Int, _ body: (InboundPlan) async throws -> Void) async throws {
        var lines = ArchivedLines(try archive.pieces(of: path))
        var matcher = try await CheckMatcher(store: store)
        var pieces = InboundPieces(size: pieceSize)
        var mismatches: Set<String> = []
        var count = 0
        while let (line, bytes) = try lines.next() {
            let record: ARPRecord
            do {
                record = try ARPRecord.parse(bytes, number: line)
            } catch {
                throw InboundQuarantine(reason: "invalid ARP output: \(error)")
            }
            count += 1
            guard record.code != .issue else {
                throw InboundQuarantine(reason: "line \(line): an issue (I) record: this is an issue file, not the bank's output; nothing applied")
            }
            guard let account = try matcher.account(number: record.accountNumber, line: line) else {
                throw InboundQuarantine(reason: "line \(line): account ****\(record.accountNumber.suffix(4)) is not enrolled; nothing applied")
            }
            guard record.code != .paid && record.code != .reconciled || record.amount > 0 else {
                pieces.note("line \(line): a paid record for serial \(record.serial) for 0 cents: refused, not applied")
                continue
            }
            let source = SourceReference.inboundFile(id: fileID, line: line)
            let check: CheckIssue
            let matched: Bool
            switch try await matcher.check(serial: record.serial, amount: record.amount, issueDate: record.issueDate, on: account) {
            case .none:
                throw InboundQuarantine(reason: "line \(line): no check \(record.serial) on account \(account.id); nothing applied")
            case .check(let found):
                (check, matched) = (found, true)
            case .serialOnly(let candidates):
                // The record is about another item than any check with its serial: the live one (or the
                // latest) is told, and nothing is applied to it.
                (check, matched) = (candidates.last(where: \.isLive) ?? candidates[candidates.count - 1], false)
            }
            let isPaid = record.code == .paid || record.code == .reconciled
            // Only the live check paid for another amount is a presentment to decide (an exception);
            // any other record that matches a serial alone is about another item.
            let presentedForAnotherAmount = isPaid && check.isLive && record.amount != check.amount
            let kind: CheckEvent.Kind
            switch record.code {
            case _ where !matched && !presentedForAnotherAmount:
                kind = .mismatched("\(record.code.name) record for serial \(record.serial), \(Dollars.format(record.amount)) issued "
                                   + "\(record.issueDate), does not match the check issued for \(Dollars.format(check.amount)) on "
                                   + "\(check.issueDate); not applied")
            case .outstanding: kind = .onFile
            case .paid, .reconciled:
                let date = record.paidDate ?? record.issueDate
                if matched {
                    kind = .paid(on: date)
                } else if let accepted = try await acceptedMismatch(record, on: check, account: account, store: store) {
                    kind = .paidByDecision(on: date, exceptionID: accepted.id)
                } else {
                    try await openMismatch(record, on: check, account: account, source: source, at: now, into: &pieces, seen: &mismatches,
                                           store: store)
                    continue
                }
            case .void: kind = .voided
            case .stop: kind = .stopped
            case .issue: continue
            }
            if let full = pieces.add(CheckEvent(checkID: check.id, kind: kind, source: source), read: check) { try await body(full) }
        }
        guard count > 0 else { throw InboundQuarantine(reason: "invalid ARP output: the file has no records") }
        try await body(pieces.finish())
    }

    /// The bank's reference for a presentment of `check` for another amount: what identifies it
    /// (serial, date and amount), so the same record in a later file names the same exception.
    static func mismatchReference(_ record: ARPRecord, on check: CheckIssue) -> String {
        "ARP-\(check.serial)-\(record.paidDate ?? record.issueDate)-\(record.amount)"
    }

    /// The exception this presentment opened, when a pay decision (the company's, or the bank's
    /// default at the deadline) accepted it: the paid record then completes the check.
    private func acceptedMismatch(_ record: ARPRecord, on check: CheckIssue, account: CheckAccount,
                                  store: any LedgerStore) async throws -> CheckException? {
        guard let exception = try await store.checkException(accountID: account.id, bankReference: Self.mismatchReference(record, on: check))
        else { return nil }
        let decision = try await store.decisions(exceptionID: exception.id).last
        return exception.applied(company: decision)?.decision == .pay ? exception : nil
    }

    /// An exception for a check presented for another amount, once per presentment (see
    /// `mismatchReference`): the same record in a later file is noted, not opened again.
    private func openMismatch(_ record: ARPRecord, on check: CheckIssue, account: CheckAccount, source: SourceReference, at now: Date,
                              into pieces: inout InboundPieces, seen: inout Set<String>, store: any LedgerStore) async throws {
        let line = source.line ?? 0
        let reference = Self.mismatchReference(record, on: check)
        let text = "check \(record.serial) on \(account.id) presented for \(Dollars.format(record.amount)) against "
            + "\(Dollars.format(check.amount)) issued"
        guard seen.insert(reference).inserted, try await store.checkException(accountID: account.id, bankReference: reference) == nil else {
            pieces.note("line \(line): \(text): exception \(reference) was already recorded")
            return
        }
        pieces.note("line \(line): \(text): an amount mismatch, not paid; exception opened for a decision")
        pieces.open(CheckException(
            id: Identifier.make(prefix: "exc", at: now), bankReference: reference, merchantID: account.merchantID, accountID: account.id,
            checkID: check.id, serial: check.serial, presentedAmount: record.amount, issuedAmount: check.amount, presentedPayee: "",
            reason: .amountMismatch, defaultDecision: mismatchDefault, deadline: now.addingTimeInterval(decisionWindow), status: .open,
            source: source, createdAt: now), read: check)
    }
}

import BankFiles
import Foundation
import NACHA
import Payments

/// The bank's ARP output (layout A): `O` outstanding puts a check on file (P_PROCESSING), `P` paid
/// (or `R` reconciled) with a matching amount completes it, `V` confirms its void, `S` notes a stop.
/// A paid record whose amount differs from the issue is not a payment, and not something to decide
/// either (presentments to decide come in the bank's exception file, under the bank's id): it is a
/// discrepancy noted on the check for investigation, and ingest says it needs attention. Once the
/// bank's `amount_mismatch` exception for that presented amount was settled to pay (the company's
/// decision, or the bank's default), the same paid record completes the check. An account that is
/// not enrolled, a serial we never issued, or an issue record (`I`: our own file, not the bank's)
/// quarantines the whole file.
public struct ARPOutputProcessor: InboundProcessor {
    public let kind = InboundKind.arpOutput

    public init() {}

    public func read(_ path: String, from archive: Archive, fileID: String, now: Date, store: any LedgerStore,
                     pieceSize: Int, _ body: (PieceEvents) async throws -> Void) async throws {
        var lines = ArchivedLines(try archive.pieces(of: path))
        var matcher = try await CheckMatcher(store: store)
        var pieces = InboundPieces(size: pieceSize)
        var exceptions: [String: [String: [CheckException]]] = [:]
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
            // The live check paid for another amount may be a presentment the bank's exception settled to
            // pay; any other record that matches a serial alone is about another item.
            let presentedForAnotherAmount = isPaid && check.isLive && record.amount != check.amount
            let kind: CheckEvent.Kind
            switch record.code {
            case _ where !matched && !presentedForAnotherAmount:
                kind = .mismatched("\(record.code.name) record for serial \(record.serial), \(Dollars.format(record.amount)) issued "
                                   + "\(record.issueDate), does not match the check issued for \(Dollars.format(check.amount)) on "
                                   + "\(check.issueDate); not applied")
            case .outstanding: kind = .onFile
            case .paid, .reconciled:
                guard let date = ACHDate(yyyymmdd: record.paidDate ?? record.issueDate) else {
                    throw InboundQuarantine(reason: "line \(line): the paid date is not a calendar date; nothing applied")
                }
                if matched {
                    kind = .paid(on: date)
                } else if let accepted = try await paidException(record, on: check, store: store, cache: &exceptions) {
                    kind = .paidByDecision(on: date, exceptionID: accepted.id)
                } else {
                    kind = .mismatched("paid record for check \(record.serial) presented for \(Dollars.format(record.amount)) against "
                                       + "\(Dollars.format(check.amount)) issued, and no exception for that amount was settled to pay; "
                                       + "not applied, for investigation")
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

    /// The bank's `amount_mismatch` exception on `check` for the record's presented amount, when the
    /// decision the bank acts on (the company's, or its default at the deadline) is to pay it.
    /// `cache` holds each merchant's exceptions by check, read once a file.
    private func paidException(_ record: ARPRecord, on check: CheckIssue, store: any LedgerStore,
                               cache: inout [String: [String: [CheckException]]]) async throws -> CheckException? {
        if cache[check.merchantID] == nil {
            cache[check.merchantID] = Dictionary(grouping: try await store.checkExceptions(merchantID: check.merchantID, status: nil),
                                                 by: { $0.checkID ?? "" })
        }
        for exception in cache[check.merchantID]?[check.id] ?? [] where exception.reason == .amountMismatch && exception.presentedAmount == record.amount {
            let decision = try await store.decisions(exceptionID: exception.id).last
            if exception.applied(company: decision)?.decision == .pay { return exception }
        }
        return nil
    }
}

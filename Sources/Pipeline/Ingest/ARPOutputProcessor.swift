import BankFiles
import NACHA
import Payments

/// The bank's ARP output (layout A): `O` outstanding puts a check on file (P_PROCESSING), `P` paid
/// (or `R` reconciled) with a matching amount completes it, `V` confirms its void, `S` notes a stop.
/// A paid record whose amount differs from the issue is not a payment: it is noted on the check
/// and for the operator as an amount mismatch. An account that is not enrolled, a serial we never
/// issued, or an issue record (`I`: our own file, not the bank's) quarantines the whole file.
public struct ARPOutputProcessor: InboundProcessor {
    public let kind = InboundKind.arpOutput

    public init() {}

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
                    let text = "presented for \(Dollars.format(record.amount)) against \(Dollars.format(check.amount)) issued: "
                        + "an amount mismatch, not paid"
                    pieces.note("line \(line): check \(record.serial) on \(account.id) \(text)")
                    kind = .noted(code: "amount_mismatch", text: text)
                    break
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
}

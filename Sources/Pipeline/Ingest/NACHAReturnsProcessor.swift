import BankFiles
import Foundation
import NACHA
import Payments

/// NACHA files from the bank: returns, dishonored and contested returns, NOCs and refused NOCs.
public struct NACHAReturnsProcessor: InboundProcessor {
    public let kind = InboundKind.nacha

    public init() {}

    /// Returns and NOCs: every addenda 98/99 must name one of our trace numbers, with matching amount
    /// and RDFI; otherwise the whole file is quarantined (no partial application). The file is
    /// parsed as it is read and its entries matched a piece at a time; what would quarantine it is
    /// gathered on the way and decided at the end, in the order a whole-file check would find it:
    /// format errors, then no entries, forward entries, unknown trace numbers, entries that do not match.
    public func read(_ path: String, from archive: Archive, fileID: String, now: Date, store: any LedgerStore,
                     pieceSize: Int, _ body: (PieceEvents) async throws -> Void) async throws {
        let reader = try archive.pieces(of: path)
        var stream = Reader.Stream(options: .init(buildModel: false, handsOutEntries: true))
        var matching = Matching(fileID: fileID)
        var pieces = InboundPieces(size: pieceSize)
        var waiting: [Entry] = []
        func match(_ entries: [Entry]) async throws {
            let payments = try await store.payments(traceNumbers: entries.compactMap { $0.addenda.first?.originalTraceNumber })
            for entry in entries {
                let made = matching.event(for: entry, payments)
                for note in matching.notes { pieces.note(note) }
                matching.notes = []
                guard let (event, correction, payment) = made, let full = pieces.add(event, correction: correction, read: payment) else { continue }
                try await body(full)
            }
        }
        while let bytes = try reader.next() {
            bytes.withUnsafeBufferPointer { stream.feed($0) }
            waiting += stream.takeEntries()
            while waiting.count >= pieceSize {
                try await match(Array(waiting.prefix(pieceSize)))
                waiting.removeFirst(pieceSize)
            }
        }
        let result = stream.finish()
        try await match(waiting + stream.takeEntries())
        guard !result.hasErrors else {
            let first = result.diagnostics.first { $0.severity == .error }.map(\.description) ?? "no file header"
            throw InboundQuarantine(reason: "invalid NACHA file: \(Words.count(result.errorCount, "error")) (first: \(first))")
        }
        if let reason = matching.quarantineReason { throw InboundQuarantine(reason: reason) }
        // Nonconforming but unambiguous: applied, and the operator told what was off.
        for note in Self.warningNotes(result) { pieces.note(note) }
        try await body(pieces.finish())
    }

    /// The format's warnings as notes for the inbound ledger, the first few of them one by one.
    static func warningNotes(_ result: ReadResult, shown: Int = 20) -> [String] {
        let warnings = result.diagnostics.filter { $0.severity == .warning }
        var notes = warnings.prefix(shown).map { "line \($0.line): warning \($0.code) \($0.message)" }
        if result.warningCount > notes.count { notes.append("\(result.warningCount - notes.count) more warnings") }
        return notes
    }

    /// Entries matched to our payments, and what would keep the file from being applied.
    private struct Matching {
        let fileID: String
        var entries = 0
        var forward = (count: 0, firstLine: 0)
        var unknown = (count: 0, firstLine: 0)
        /// The first entry that names one of our payments but cannot be applied to it.
        var mismatch: String?
        /// What a person must look at that did not stop the file (a NOC whose corrected data was refused).
        var notes: [String] = []

        init(fileID: String) { self.fileID = fileID }

        var quarantineReason: String? {
            if entries == 0 { return "NACHA file holds no entries" }
            if forward.count > 0 { return "\(Words.count(forward.count, "entry", plural: "entries")) \(forward.count == 1 ? "is" : "are") not a return or NOC (first at line \(forward.firstLine))" }
            if unknown.count > 0 {
                return "\(Words.count(unknown.count, "entry", plural: "entries")) \(unknown.count == 1 ? "quotes a trace number" : "quote trace numbers") we never sent (first at line \(unknown.firstLine)); nothing applied"
            }
            return mismatch
        }

        private static func count(_ tally: inout (count: Int, firstLine: Int), _ line: Int) {
            if tally.count == 0 { tally.firstLine = line }
            tally.count += 1
        }

        /// The event (and correction) an entry makes, with the payment it is about, or nil when it
        /// makes none or cannot be applied.
        mutating func event(for entry: Entry, _ payments: [Int: Payment]) -> (BankEvent, CounterpartyCorrection?, Payment)? {
            entries += 1
            let line = entry.line ?? 0
            guard let addenda = entry.addenda.first(where: { $0.originalTraceNumber != nil }),
                  let trace = addenda.originalTraceNumber else {
                Self.count(&forward, line)
                return nil
            }
            guard let payment = payments[trace] else {
                Self.count(&unknown, line)
                return nil
            }
            func refuse(_ reason: String) -> (BankEvent, CounterpartyCorrection?, Payment)? {
                if mismatch == nil { mismatch = reason }
                return nil
            }
            let source = SourceReference.inboundFile(id: fileID, line: line)
            func event(_ kind: BankEvent.Kind) -> BankEvent { BankEvent(paymentID: payment.id, kind: kind, source: source) }
            let rdfi = Int(payment.counterparty.routingNumber.prefix(8)) ?? -1
            switch addenda {
            case .returnEntry(let value):
                guard entry.detail.amount == payment.amount, value.originalReceivingDFI == rdfi else {
                    return refuse("return at line \(line) does not match payment \(payment.id) (amount or RDFI differ); nothing applied")
                }
                let reason = ReturnReasonCode.lookup(value.returnReasonCode)
                // The code is the failure's own field; the message says what it means.
                let message = "\(reason?.meaning ?? "return") (\(reason?.category.rawValue ?? "other"), "
                    + "\(reason?.timeFrame.rawValue ?? "undefined") return)"
                return (event(.returned(Failure(code: value.returnReasonCode, message: message))), nil, payment)
            case .dishonoredReturn(let value):
                return (event(.noted(code: value.dishonoredReturnReasonCode,
                    text: "dishonored return: \(ReturnReasonCode.lookup(value.dishonoredReturnReasonCode)?.meaning ?? "")")), nil, payment)
            case .contestedDishonoredReturn(let value):
                return (event(.noted(code: value.contestedReturnCode,
                    text: "contested dishonored return: \(ReturnReasonCode.lookup(value.contestedReturnCode)?.meaning ?? "")")), nil, payment)
            case .notificationOfChange(let value):
                guard let change = ChangeCode.lookup(value.changeCode) else {
                    return refuse("NOC at line \(line) has unknown change code \(value.changeCode)")
                }
                let corrected = change.correctedData(value.correctedData)
                var correction = CounterpartyCorrection(
                    merchantID: payment.merchantID, paymentID: payment.id, changeCode: value.changeCode,
                    routingNumber: payment.counterparty.routingNumber, accountNumber: payment.counterparty.accountNumber,
                    correctedRoutingNumber: corrected[.routingNumber] ?? payment.counterparty.routingNumber,
                    correctedAccountNumber: corrected[.accountNumber] ?? payment.counterparty.accountNumber,
                    correctedAccountType: payment.counterparty.accountType, correctedName: corrected[.name] ?? payment.counterparty.name)
                let transactionCode = corrected[.transactionCode].map { text in
                    text.utf8.count == 2 && text.utf8.allSatisfy { (0x30...0x39).contains($0) } ? TransactionCode(rawValue: Int(text) ?? 0)
                                                                                                : TransactionCode(rawValue: 0)
                }
                if let transactionCode { correction.correctedAccountType = transactionCode.account == .savings ? .savings : .checking }
                // Corrected data goes to the bank in later payments: it passes the request rules, or the
                // NOC is recorded on the payment, not applied, and the file flagged.
                let problem = change.hasStrayCharacters(value.correctedData)
                    ? "its corrected data holds more than the \(value.changeCode) layout reads"
                    : PaymentRules.correctionProblem(correction, transactionCode: transactionCode)
                if let problem {
                    notes.append("line \(line): NOC \(value.changeCode) for \(payment.id) not applied: \(problem)")
                    return (event(.noted(code: value.changeCode, text: "notification of change: \(change.meaning); not applied: \(problem)")),
                            nil, payment)
                }
                let changesDetails = [.accountNumber, .routingNumber, .transactionCode, .name].contains { corrected[$0] != nil }
                // Account numbers never go into history text.
                return (event(.corrected(code: value.changeCode,
                    text: "notification of change: \(change.meaning); counterparty details corrected for later payments")),
                        changesDetails ? correction : nil, payment)
            case .refusedNotificationOfChange(let value):
                return (event(.noted(code: value.refusedChangeCode,
                    text: "refused notification of change: \(ChangeCode.lookup(value.refusedChangeCode)?.meaning ?? "")")), nil, payment)
            case .paymentRelated:
                return nil
            }
        }
    }
}

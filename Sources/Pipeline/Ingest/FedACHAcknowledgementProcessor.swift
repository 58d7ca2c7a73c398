import BankFiles
import Foundation
import Payments

/// FedACH acknowledgements of the files we sent.
public struct FedACHAcknowledgementProcessor: InboundProcessor {
    public let kind = InboundKind.fedACHAcknowledgement
    let acknowledgements: any AcknowledgementParser

    public init(acknowledgements: any AcknowledgementParser = FedACHAcknowledgementParser()) {
        self.acknowledgements = acknowledgements
    }

    /// Acknowledgements: matched to the file we sent by its header identity, totals verified against
    /// our ledger; accepted → processing, rejected batches or files → failed, pended → a note and an
    /// alert. The file's payments are read a page at a time.
    public func read(_ path: String, from archive: Archive, fileID: String, now: Date, store: any LedgerStore,
                     pieceSize: Int, _ body: (PieceEvents) async throws -> Void) async throws {
        let bytes = try archive.read(path)
        let ack: FedACHAcknowledgement
        do {
            ack = try acknowledgements.parse(bytes)
        } catch {
            throw InboundQuarantine(reason: "unreadable acknowledgement: \(error.message)")
        }
        guard let sent = try await store.outboundFile(origin: ack.immediateOrigin, destination: ack.immediateDestination,
                                                      creationDate: ack.fileCreationDate, creationTime: ack.fileCreationTime,
                                                      modifier: ack.fileIDModifier) else {
            throw InboundQuarantine(reason: "acknowledgement matches no file we sent (origin \(ack.immediateOrigin), destination "
                             + "\(ack.immediateDestination), created \(ack.fileCreationDate) \(ack.fileCreationTime), modifier \(ack.fileIDModifier))")
        }
        let expected = (sent.nacha?.batchCount ?? -1, sent.nacha?.entryAddendaCount ?? -1, sent.totalDebit, sent.totalCredit)
        let echoed = (ack.batchCount, ack.entryAddendaCount, ack.totalDebit, ack.totalCredit)
        guard expected == echoed else {
            throw InboundQuarantine(reason: "acknowledgement totals for \(sent.name) differ from what we sent: batches \(echoed.0)/\(expected.0), "
                             + "entries \(echoed.1)/\(expected.1), debits \(echoed.2)/\(expected.2), credits \(echoed.3)/\(expected.3)")
        }
        let source = SourceReference.inboundFile(id: fileID, line: nil)
        let fileFailure = Failure(code: ack.fileMessages.first?.code ?? "file_rejected",
                                  message: ([ack.fileStatusText] + ack.fileMessages.map { "\($0.code)-\($0.description)" })
                                      .joined(separator: "; "))
        let rejectedBatches = Dictionary(ack.batches.filter(\.isRejected).map { ($0.batchNumber, $0) }) { first, _ in first }
        let kind: (FileBinding) -> BankEvent.Kind
        var pieces = InboundPieces(size: pieceSize)
        switch ack.fileStatus {
        case .unrecognised(let text):
            throw InboundQuarantine(reason: "acknowledgement status \"\(text)\" is not one metl knows; a person must read it")
        case let status where status.isPended:
            pieces.note("file \(sent.name) pended by the ACH operator: \(ack.fileStatusText)")
            kind = { _ in .noted(code: "file_pended", text: ack.fileStatusText) }
        case let status where status.isRejected:
            kind = { _ in .rejected(fileFailure) }
        default:
            kind = { binding in
                guard let batch = rejectedBatches[binding.batchNumber] else { return .acknowledged }
                return .rejected(Failure(code: batch.messages.first?.code ?? "batch_rejected",
                                         message: ([batch.status] + batch.messages.map { "\($0.code)-\($0.description)" })
                                             .joined(separator: "; ")))
            }
        }
        var line = 0
        while true {
            let page = try await store.filePayments(fileID: sent.id, afterLine: line, limit: pieces.size)
            for entry in page {
                if let full = pieces.add(BankEvent(paymentID: entry.payment.id, kind: kind(entry.binding), source: source),
                                         read: entry.payment) {
                    try await body(full)
                }
            }
            guard let last = page.last, page.count == pieces.size else { break }
            line = last.binding.line
        }
        try await body(pieces.finish())
    }
}

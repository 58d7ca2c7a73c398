import BankFiles
import NACHA
import Payments

/// FedACH acknowledgements of the files we sent.
public struct FedACHAcknowledgementProcessor: InboundProcessor {
    public let kind = InboundKind.fedACHAcknowledgement
    let acknowledgements: any AcknowledgementParser

    public init(acknowledgements: any AcknowledgementParser = FedACHAcknowledgementParser()) {
        self.acknowledgements = acknowledgements
    }

    /// Acknowledgements: matched to the file we sent by its header identity, totals verified against
    /// our ledger; accepted → processing, rejected batches or files → failed, pended → a note and an alert.
    public func plan(_ bytes: [UInt8], fileID: String, store: any OutboundFileStore & InboundFileStore) async throws -> InboundPlan {
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
        let bound = try await store.filePayments(fileID: sent.id)
        let source = SourceReference.inboundFile(id: fileID, line: nil)
        var plan = InboundPlan()
        let fileFailure = Failure(code: ack.fileMessages.first?.code ?? "file_rejected",
                                  message: ([ack.fileStatusText] + ack.fileMessages.map { "\($0.code)-\($0.description)" })
                                      .joined(separator: "; "))
        switch ack.fileStatus {
        case .unrecognised(let text):
            throw InboundQuarantine(reason: "acknowledgement status \"\(text)\" is not one metl knows; a person must read it")
        case let status where status.isPended:
            plan.notes.append("file \(sent.name) pended by the ACH operator: \(ack.fileStatusText)")
            plan.events = bound.map { BankEvent(paymentID: $0.payment.id, kind: .noted(code: "file_pended", text: ack.fileStatusText), source: source) }
        case let status where status.isRejected:
            plan.events = bound.map { BankEvent(paymentID: $0.payment.id, kind: .rejected(fileFailure), source: source) }
        default:
            let rejected = Dictionary(ack.batches.filter(\.isRejected).map { ($0.batchNumber, $0) }) { first, _ in first }
            plan.events = bound.map { entry in
                guard let batch = rejected[entry.binding.batchNumber] else {
                    return BankEvent(paymentID: entry.payment.id, kind: .acknowledged, source: source)
                }
                let failure = Failure(code: batch.messages.first?.code ?? "batch_rejected",
                                      message: ([batch.status] + batch.messages.map { "\($0.code)-\($0.description)" }).joined(separator: "; "))
                return BankEvent(paymentID: entry.payment.id, kind: .rejected(failure), source: source)
            }
        }
        return plan
    }
}

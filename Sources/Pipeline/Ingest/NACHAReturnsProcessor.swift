import BankFiles
import NACHA
import Payments

/// NACHA files from the bank: returns, dishonored and contested returns, NOCs and refused NOCs.
public struct NACHAReturnsProcessor: InboundProcessor {
    public let kind = InboundKind.nacha

    public init() {}

    /// Returns and NOCs: every addenda 98/99 must name one of our trace numbers, with matching amount
    /// and RDFI; otherwise the whole file is quarantined (no partial application).
    public func plan(_ bytes: [UInt8], fileID: String, store: any OutboundFileStore & InboundFileStore) async throws -> InboundPlan {
        let result = Reader.read(bytes)
        guard !result.hasErrors, let file = result.file else {
            let first = result.diagnostics.first { $0.severity == .error }.map(\.description) ?? "no file header"
            throw InboundQuarantine(reason: "invalid NACHA file: \(result.errorCount) errors (first: \(first))")
        }
        let located = file.batches.flatMap(\.entries).map { (entry: $0, line: $0.line ?? 0) }
        guard !located.isEmpty else { throw InboundQuarantine(reason: "NACHA file holds no entries") }
        let forward = located.filter { $0.entry.addenda.allSatisfy { $0.originalTraceNumber == nil } }
        guard forward.isEmpty else {
            throw InboundQuarantine(reason: "\(forward.count) entries are not returns or NOCs (first at line \(forward[0].line))")
        }
        let traces = located.compactMap { $0.entry.addenda.first?.originalTraceNumber }
        let payments = try await store.payments(traceNumbers: traces)
        let unknown = located.filter { payments[$0.entry.addenda.first?.originalTraceNumber ?? -1] == nil }
        guard unknown.isEmpty else {
            throw InboundQuarantine(reason: "\(unknown.count) entries quote trace numbers we never sent (first at line \(unknown[0].line)); nothing applied")
        }
        var plan = InboundPlan()
        for (entry, line) in located {
            guard let addenda = entry.addenda.first, let trace = addenda.originalTraceNumber, let payment = payments[trace] else { continue }
            let source = SourceReference.inboundFile(id: fileID, line: line)
            let rdfi = Int(payment.counterparty.routingNumber.prefix(8)) ?? -1
            switch addenda {
            case .returnEntry(let value):
                guard entry.detail.amount == payment.amount, value.originalReceivingDFI == rdfi else {
                    throw InboundQuarantine(reason: "return at line \(line) does not match payment \(payment.id) (amount or RDFI differ); nothing applied")
                }
                let reason = ReturnReasonCode.lookup(value.returnReasonCode)
                let message = "\(value.returnReasonCode) \(reason?.meaning ?? "return") (\(reason?.category.rawValue ?? "other"), "
                    + "\(reason?.timeFrame.rawValue ?? "undefined") return)"
                plan.events.append(BankEvent(paymentID: payment.id, kind: .returned(Failure(code: value.returnReasonCode, message: message)),
                                             source: source))
            case .dishonoredReturn(let value):
                plan.events.append(BankEvent(paymentID: payment.id, kind: .noted(code: value.dishonoredReturnReasonCode,
                    text: "dishonored return: \(ReturnReasonCode.lookup(value.dishonoredReturnReasonCode)?.meaning ?? "")"), source: source))
            case .contestedDishonoredReturn(let value):
                plan.events.append(BankEvent(paymentID: payment.id, kind: .noted(code: value.contestedReturnCode,
                    text: "contested dishonored return: \(ReturnReasonCode.lookup(value.contestedReturnCode)?.meaning ?? "")"), source: source))
            case .notificationOfChange(let value):
                guard let change = ChangeCode.lookup(value.changeCode) else {
                    throw InboundQuarantine(reason: "NOC at line \(line) has unknown change code \(value.changeCode)")
                }
                let corrected = change.correctedData(value.correctedData)
                var correction = CounterpartyCorrection(
                    merchantID: payment.merchantID, paymentID: payment.id, changeCode: value.changeCode,
                    routingNumber: payment.counterparty.routingNumber, accountNumber: payment.counterparty.accountNumber,
                    correctedRoutingNumber: corrected[.routingNumber] ?? payment.counterparty.routingNumber,
                    correctedAccountNumber: corrected[.accountNumber] ?? payment.counterparty.accountNumber,
                    correctedAccountType: payment.counterparty.accountType, correctedName: corrected[.name] ?? payment.counterparty.name)
                if let code = corrected[.transactionCode].flatMap(Int.init) {
                    correction.correctedAccountType = TransactionCode(rawValue: code).account == .savings ? .savings : .checking
                }
                guard RoutingNumber.isValid(correction.correctedRoutingNumber), !correction.correctedAccountNumber.isEmpty else {
                    throw InboundQuarantine(reason: "NOC at line \(line) carries corrected data that is not a valid routing/account number")
                }
                // Account numbers never go into history text.
                plan.events.append(BankEvent(paymentID: payment.id, kind: .corrected(code: value.changeCode,
                    text: "notification of change: \(change.meaning); counterparty details corrected for later payments"), source: source))
                if [.accountNumber, .routingNumber, .transactionCode, .name].contains(where: { corrected[$0] != nil }) {
                    plan.corrections.append(correction)
                }
            case .refusedNotificationOfChange(let value):
                plan.events.append(BankEvent(paymentID: payment.id, kind: .noted(code: value.refusedChangeCode,
                    text: "refused notification of change: \(ChangeCode.lookup(value.refusedChangeCode)?.meaning ?? "")"), source: source))
            case .paymentRelated:
                continue
            }
        }
        return plan
    }
}

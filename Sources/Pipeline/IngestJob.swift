import BankFiles
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NACHA
import Payments

/// Turns the bank's files into payment events: acknowledgements → P_PROCESSING (or P_FAILED for
/// rejected files and batches), BAI2 settlement → P_COMPLETED, returns → P_FAILED, NOCs → corrections.
/// Each file is archived, recorded in the inbound ledger and applied in one transaction — all of its
/// effects or none. The same bytes twice are a duplicate; a file that cannot be applied exactly is
/// quarantined with a precise reason, and never stops the others.
public struct IngestJob: Sendable {
    public struct Outcome: Sendable, Codable {
        public var name: String
        public var id: String
        public var kind: String
        public var status: String
        public var reason: String?
        public var applied: Int
        /// Things a person should know that did not stop the file (unmatched settlement lines, pended acks).
        public var notes: [String]
    }

    /// BAI2 detail type codes treated as ACH settlement of our batches (README documents them):
    /// credits to our account settle our debit batches, debits settle our credit batches.
    public static let settlementCreditTypeCodes: Set<String> = ["165", "166", "169"]
    public static let settlementDebitTypeCodes: Set<String> = ["455", "466", "469"]

    let store: any PaymentStore & OutboundFileStore & InboundFileStore
    let archive: Archive
    let logger: Logger
    let acknowledgements: any AcknowledgementParser
    /// A larger file is hashed and quarantined but neither kept nor parsed.
    let maximumFileBytes: Int64
    public static let defaultMaximumFileBytes: Int64 = 1 << 30

    public init(store: any PaymentStore & OutboundFileStore & InboundFileStore, archive: Archive, logger: Logger,
                acknowledgements: any AcknowledgementParser = FedACHAcknowledgementParser(),
                maximumFileBytes: Int64 = IngestJob.defaultMaximumFileBytes) {
        self.store = store
        self.archive = archive
        self.logger = logger
        self.acknowledgements = acknowledgements
        self.maximumFileBytes = maximumFileBytes
    }

    /// A planned application: the events and corrections, or the reason the file is quarantined.
    struct Plan {
        var events: [BankEvent] = []
        var corrections: [CounterpartyCorrection] = []
        var settledBatches: [UnsettledBatch] = []
        var notes: [String] = []
    }

    struct Quarantine: Error {
        var reason: String
    }

    /// The outcome status of an entry that was not read (not a regular file); it is not recorded.
    public static let refusedStatus = "refused"

    /// Ingests every file `source` offers, in order, and moves each recorded one aside at the source
    /// (processed, duplicate or quarantined alike). An entry that is not a regular file is refused:
    /// not read, not recorded, left where it is. Removes temporary files a killed run left first.
    /// Throws the source's `DestinationError` when it fails, or a `CutoffError` when storage does.
    public func ingest(from source: any InboundSource) async throws -> [Outcome] {
        let removed = archive.removeStaleTemporaryFiles()
        if removed > 0 { logger.notice("removed temporary files of an earlier run that died", metadata: ["count": "\(removed)"]) }
        var outcomes: [Outcome] = []
        for name in try await source.names() {
            let opened: Result<Int32, DestinationError>
            do {
                opened = .success(try await source.open(name, scratch: archive))
            } catch {
                opened = .failure(error)
            }
            switch opened {
            case .failure(let error) where error.kind == .refused:
                logger.error("ALERT inbound entry refused", metadata: ["file": "\(name)", "reason": "\(error.message)"])
                outcomes.append(Outcome(name: name, id: "", kind: InboundKind.unknown.rawValue, status: Self.refusedStatus,
                                        reason: error.message, applied: 0, notes: []))
            case .failure(let error):
                throw error
            case .success(let descriptor):
                defer { Glibc.close(descriptor) }
                outcomes.append(try await ingest(descriptor: descriptor, name: name, source: "\(source)/\(name)"))
                try await source.archive(name)
            }
        }
        return outcomes
    }

    /// Ingests bytes already in memory.
    public func ingest(_ bytes: [UInt8], name: String, source: String) async throws(CutoffError) -> Outcome {
        let writer = try archive.begin()
        if Int64(bytes.count) > maximumFileBytes { writer.discardContent() }
        try writer.append(bytes)
        return try await record(writer, name: name, source: source)
    }

    /// Ingests an open file, streamed into the archive in constant memory.
    func ingest(descriptor: Int32, name: String, source: String) async throws(CutoffError) -> Outcome {
        let writer = try archive.begin()
        try copy(descriptor, into: writer, name: name)
        return try await record(writer, name: name, source: source)
    }

    private func copy(_ descriptor: Int32, into writer: Archive.Writer, name: String) throws(CutoffError) {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, chunk)
            guard count >= 0 else { throw CutoffError(.internal, "cannot read \(name)") }
            if count == 0 { return }
            if !writer.isDiscarding, writer.size + Int64(count) > maximumFileBytes { writer.discardContent() }
            try writer.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Records one file whose bytes are in `writer` (archived unless over the limit), then applies it
    /// or quarantines it. Throws only when storage fails (the file then stays where it was for the next run).
    private func record(_ writer: Archive.Writer, name: String, source: String) async throws(CutoffError) -> Outcome {
        let (sha, size, oversized) = (writer.sha256, writer.size, writer.isDiscarding)
        let archivePath = oversized ? "" : try writer.commit(kind: "inbound", extension: "txt").path
        let received = Date()
        let id = Identifier.make(prefix: "inb", at: received)
        let kind: InboundKind = size == 0 || oversized ? InboundKind.unknown : InboundKind.detect(writer.head)
        var file = InboundFile(id: id, sha256: sha, kind: kind.rawValue, source: source, name: name, size: size,
                               status: .processed, archivePath: archivePath, receivedAt: received)
        func outcome(_ file: InboundFile, notes: [String] = []) -> Outcome {
            Outcome(name: name, id: file.id, kind: file.kind, status: file.status.rawValue, reason: file.reason,
                    applied: file.applied, notes: notes)
        }
        if let earlier = try await storageStep({ try await store.inboundFile(sha256: sha) }) {
            file.status = .duplicate
            file.reason = "same bytes as \(earlier.name) (\(earlier.id)), \(earlier.status.rawValue) at \(Timestamp.format(earlier.receivedAt))"
            try await storageStep { try await store.recordInbound(file) }
            logger.notice("duplicate inbound file", metadata: ["file": "\(name)", "first": "\(earlier.id)"])
            guard earlier.status == .quarantined else { return outcome(file) }
            // Still quarantined: the operator hears the first outcome again, and the run still needs attention.
            var repeated = outcome(file)
            repeated.status = InboundFile.Status.quarantined.rawValue
            let firstReason: String = earlier.reason ?? "no reason recorded"
            repeated.reason = "\(file.reason ?? ""): \(firstReason)"
            return repeated
        }
        if oversized {
            return try await quarantined(file, "\(size) bytes, over the limit of \(maximumFileBytes) bytes; not archived or read", outcome)
        }
        guard kind != .unknown else {
            // Not parsed, so never read back from the archive.
            return try await quarantined(file, size == 0 ? "empty file" : Self.unknownKindReason, outcome)
        }
        let plan: Plan
        do {
            plan = try await self.plan(try archive.read(archivePath), kind: kind, fileID: id)
        } catch let quarantine as Quarantine {
            return try await quarantined(file, quarantine.reason, outcome)
        } catch let error as CutoffError {
            throw error
        } catch {
            return try await quarantined(file, String(describing: error), outcome)
        }
        do {
            file.applied = try await store.applyInbound(file, events: plan.events, corrections: plan.corrections,
                                                        settledBatches: plan.settledBatches)
            logger.info("inbound file applied", metadata: ["file": "\(name)", "kind": "\(kind.rawValue)", "applied": "\(file.applied)"])
            for note in plan.notes { logger.warning("inbound file needs attention", metadata: ["file": "\(name)", "note": "\(note)"]) }
            return outcome(file, notes: plan.notes)
        } catch {
            if error.code == .storage { throw CutoffError(.internal, error.description) }
            // A payment the plan named is gone or a transition was refused: apply nothing.
            return try await quarantined(file, error.message, outcome)
        }
    }

    private func quarantined(_ file: InboundFile, _ reason: String,
                             _ outcome: (InboundFile, [String]) -> Outcome) async throws(CutoffError) -> Outcome {
        var file = file
        file.status = .quarantined
        file.reason = reason
        try await storageStep { try await store.recordInbound(file) }
        logger.error("ALERT inbound file quarantined", metadata: ["file": "\(file.name)", "reason": "\(reason)"])
        return outcome(file, [])
    }

    // MARK: Planning

    static let unknownKindReason = "not a NACHA file, FedACH acknowledgement or BAI2 report"

    func plan(_ bytes: [UInt8], kind: InboundKind, fileID: String) async throws -> Plan {
        switch kind {
        case .nacha: return try await planNACHA(bytes, fileID: fileID)
        case .fedACHAcknowledgement: return try await planAcknowledgement(bytes, fileID: fileID)
        case .bai2: return try await planSettlement(bytes, fileID: fileID)
        case .unknown:
            throw Quarantine(reason: Self.unknownKindReason)
        }
    }

    /// Returns and NOCs: every addenda 98/99 must name one of our trace numbers, with matching amount
    /// and RDFI; otherwise the whole file is quarantined (no partial application).
    private func planNACHA(_ bytes: [UInt8], fileID: String) async throws -> Plan {
        let result = Reader.read(bytes)
        guard !result.hasErrors, let file = result.file else {
            let first = result.diagnostics.first { $0.severity == .error }.map(\.description) ?? "no file header"
            throw Quarantine(reason: "invalid NACHA file: \(result.errorCount) errors (first: \(first))")
        }
        // Entry lines, counted the way the writer lays records out.
        var located: [(entry: Entry, line: Int)] = []
        var line = 1
        for batch in file.batches {
            line += 1
            for entry in batch.entries {
                line += 1
                located.append((entry, line))
                line += entry.addenda.count
            }
            line += 1
        }
        guard !located.isEmpty else { throw Quarantine(reason: "NACHA file holds no entries") }
        let forward = located.filter { $0.entry.addenda.allSatisfy { $0.originalTraceNumber == nil } }
        guard forward.isEmpty else {
            throw Quarantine(reason: "\(forward.count) entries are not returns or NOCs (first at line \(forward[0].line))")
        }
        let traces = located.compactMap { $0.entry.addenda.first?.originalTraceNumber }
        let payments = try await store.payments(traceNumbers: traces)
        let unknown = located.filter { payments[$0.entry.addenda.first?.originalTraceNumber ?? -1] == nil }
        guard unknown.isEmpty else {
            throw Quarantine(reason: "\(unknown.count) entries quote trace numbers we never sent (first at line \(unknown[0].line)); nothing applied")
        }
        var plan = Plan()
        for (entry, line) in located {
            guard let addenda = entry.addenda.first, let trace = addenda.originalTraceNumber, let payment = payments[trace] else { continue }
            let source = SourceReference(file: "inbound:\(fileID)", line: line)
            let rdfi = Int(payment.counterparty.routingNumber.prefix(8)) ?? -1
            switch addenda {
            case .returnEntry(let value):
                guard entry.detail.amount == payment.amount, value.originalReceivingDFI == rdfi else {
                    throw Quarantine(reason: "return at line \(line) does not match payment \(payment.id) (amount or RDFI differ); nothing applied")
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
                    throw Quarantine(reason: "NOC at line \(line) has unknown change code \(value.changeCode)")
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
                    throw Quarantine(reason: "NOC at line \(line) carries corrected data that is not a valid routing/account number")
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

    /// Acknowledgements: matched to the file we sent by its header identity, totals verified against
    /// our ledger; accepted → processing, rejected batches or files → failed, pended → a note and an alert.
    private func planAcknowledgement(_ bytes: [UInt8], fileID: String) async throws -> Plan {
        let ack: FedACHAcknowledgement
        do {
            ack = try acknowledgements.parse(bytes)
        } catch {
            throw Quarantine(reason: "unreadable acknowledgement: \(error.message)")
        }
        guard let sent = try await store.outboundFile(origin: ack.immediateOrigin, destination: ack.immediateDestination,
                                                      creationDate: ack.fileCreationDate, creationTime: ack.fileCreationTime,
                                                      modifier: ack.fileIDModifier) else {
            throw Quarantine(reason: "acknowledgement matches no file we sent (origin \(ack.immediateOrigin), destination "
                             + "\(ack.immediateDestination), created \(ack.fileCreationDate) \(ack.fileCreationTime), modifier \(ack.fileIDModifier))")
        }
        let expected = (sent.batchCount, sent.entryAddendaCount, sent.totalDebit, sent.totalCredit)
        let echoed = (ack.batchCount, ack.entryAddendaCount, ack.totalDebit, ack.totalCredit)
        guard expected == echoed else {
            throw Quarantine(reason: "acknowledgement totals for \(sent.name) differ from what we sent: batches \(echoed.0)/\(expected.0), "
                             + "entries \(echoed.1)/\(expected.1), debits \(echoed.2)/\(expected.2), credits \(echoed.3)/\(expected.3)")
        }
        let bound = try await store.filePayments(fileID: sent.id)
        let source = SourceReference(file: "inbound:\(fileID)")
        var plan = Plan()
        let fileFailure = Failure(code: ack.fileMessages.first?.code ?? "file_rejected",
                                  message: ([ack.fileStatusText] + ack.fileMessages.map { "\($0.code)-\($0.description)" })
                                      .joined(separator: "; "))
        switch ack.fileStatus {
        case .unrecognised(let text):
            throw Quarantine(reason: "acknowledgement status \"\(text)\" is not one metl knows; a person must read it")
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

    /// BAI2 settlement: each ACH settlement detail matched to exactly one unsettled batch by direction,
    /// amount and effective date. Unmatched or ambiguous lines are reported, never guessed.
    private func planSettlement(_ bytes: [UInt8], fileID: String) async throws -> Plan {
        let report: BAI2File
        do {
            report = try BAI2Parser().parse(bytes)
        } catch {
            throw Quarantine(reason: "invalid BAI2 report: \(error)")
        }
        var candidates = try await store.unsettledBatches()
        var plan = Plan()
        var line = 0
        for group in report.groups {
            let asOf = ACHDate(yymmdd: group.asOfDate)?.description ?? group.asOfDate
            for account in group.accounts {
                for detail in account.transactions {
                    line += 1
                    let settlesDebits = Self.settlementCreditTypeCodes.contains(detail.typeCode)
                    let settlesCredits = Self.settlementDebitTypeCodes.contains(detail.typeCode)
                    guard settlesDebits || settlesCredits, let amount = detail.amount else { continue }
                    let matches = candidates.indices.filter {
                        candidates[$0].isCredit == settlesCredits && candidates[$0].total == amount && candidates[$0].effectiveDate == asOf
                    }
                    guard matches.count == 1 else {
                        plan.notes.append("settlement \(detail.typeCode) of \(Dollars.format(amount)) on \(asOf) (bank reference "
                                          + "\(detail.bankReference)) matches \(matches.count) batches; not applied")
                        continue
                    }
                    let batch = candidates.remove(at: matches[0])
                    plan.settledBatches.append(batch)
                    let source = SourceReference(file: "inbound:\(fileID)", line: nil)
                    plan.events += batch.paymentIDs.map { BankEvent(paymentID: $0, kind: .settled, source: source) }
                }
            }
        }
        return plan
    }
}

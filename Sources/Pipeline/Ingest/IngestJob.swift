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
/// Each file is detected, deduped and archived here, then handed to the `InboundProcessor` of its
/// kind, and its plan applied in one transaction — all of its effects or none. The same bytes twice are a duplicate; a file that cannot be applied exactly is
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

    let store: any LedgerStore
    let archive: Archive
    let logger: Logger
    /// One processor per inbound kind, asked in order which kind a file is.
    let processors: [any InboundProcessor]
    /// A larger file is hashed and quarantined but neither kept nor parsed.
    let maximumFileBytes: Int64
    public static let defaultMaximumFileBytes: Int64 = 1 << 30

    public init(store: any LedgerStore, archive: Archive, logger: Logger,
                processors: [any InboundProcessor] = IngestJob.standardProcessors,
                maximumFileBytes: Int64 = IngestJob.defaultMaximumFileBytes) {
        self.store = store
        self.archive = archive
        self.logger = logger
        self.processors = processors
        self.maximumFileBytes = maximumFileBytes
    }

    /// Returns and NOCs, acknowledgements, BAI2 settlement.
    public static let standardProcessors: [any InboundProcessor] = [
        NACHAReturnsProcessor(), FedACHAcknowledgementProcessor(), BAI2SettlementProcessor(),
    ]

    /// The outcome status of an entry that was not read (not a regular file); it is not recorded.
    public static let refusedStatus = "refused"

    /// Ingests every file `source` offers, in order, and moves each recorded one aside at the source
    /// (processed, duplicate or quarantined alike). An entry that is not a regular file is refused:
    /// not read, not recorded, left where it is. Removes temporary files a killed run left first.
    /// Throws the source's `DestinationError` when it fails, or a `PipelineError` when storage does.
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
    public func ingest(_ bytes: [UInt8], name: String, source: String) async throws(PipelineError) -> Outcome {
        let writer = try archive.begin()
        if Int64(bytes.count) > maximumFileBytes { writer.discardContent() }
        try writer.append(bytes)
        return try await record(writer, name: name, source: source)
    }

    /// Ingests an open file, streamed into the archive in constant memory.
    func ingest(descriptor: Int32, name: String, source: String) async throws(PipelineError) -> Outcome {
        let writer = try archive.begin()
        try copy(descriptor, into: writer, name: name)
        return try await record(writer, name: name, source: source)
    }

    private func copy(_ descriptor: Int32, into writer: Archive.Writer, name: String) throws(PipelineError) {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, chunk)
            guard count >= 0 else { throw PipelineError(.internal, "cannot read \(name)") }
            if count == 0 { return }
            if !writer.isDiscarding, writer.size + Int64(count) > maximumFileBytes { writer.discardContent() }
            try writer.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Records one file whose bytes are in `writer` (archived unless over the limit), then applies it
    /// or quarantines it. Throws only when storage fails (the file then stays where it was for the next run).
    private func record(_ writer: Archive.Writer, name: String, source: String) async throws(PipelineError) -> Outcome {
        let (sha, size, oversized) = (writer.sha256, writer.size, writer.isDiscarding)
        let archivePath = oversized ? "" : try writer.commit(kind: "inbound", extension: "txt").path
        let received = Date()
        let id = Identifier.make(prefix: "inb", at: received)
        let head = writer.head
        let processor = size == 0 || oversized ? nil : processors.first { $0.recognises(head) }
        var file = InboundFile(id: id, sha256: sha, kind: processor?.kind ?? .unknown, source: source, name: name, size: size,
                               status: .processed, archivePath: archivePath, receivedAt: received)
        func outcome(_ file: InboundFile, notes: [String] = []) -> Outcome {
            Outcome(name: name, id: file.id, kind: file.kind.rawValue, status: file.status.rawValue, reason: file.reason,
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
        guard let processor else {
            // Not parsed, so never read back from the archive.
            return try await quarantined(file, size == 0 ? "empty file" : Self.unknownKindReason, outcome)
        }
        let plan: InboundPlan
        do {
            plan = try await processor.plan(try archive.read(archivePath), fileID: id, store: store)
        } catch let quarantine as InboundQuarantine {
            return try await quarantined(file, quarantine.reason, outcome)
        } catch let error as PipelineError {
            throw error
        } catch {
            return try await quarantined(file, String(describing: error), outcome)
        }
        // Planned on the payments as they are now and written with version checks: a payment that an
        // operator or the API changed in between means planning again (the file is applied once either way).
        var attempt = 0
        while true {
            attempt += 1
            let ledger: LedgerPlan
            do {
                ledger = try await ledgerPlan(plan, fileID: id, receivedAt: received)
            } catch let quarantine as InboundQuarantine {
                return try await quarantined(file, quarantine.reason, outcome)
            } catch let error as PaymentError {
                // A transition the table refuses: apply nothing.
                return try await quarantined(file, error.message, outcome)
            } catch {
                throw PipelineError(.internal, String(describing: error))
            }
            file.applied = ledger.history.count
            let applied: Result<Void, any Error>
            do {
                try await store.applyInbound(file, plan: ledger)
                applied = .success(())
            } catch {
                applied = .failure(error)
            }
            switch applied {
            case .success:
                logger.info("inbound file applied", metadata: ["file": "\(name)", "kind": "\(file.kind)", "applied": "\(file.applied)"])
                for note in plan.notes { logger.warning("inbound file needs attention", metadata: ["file": "\(name)", "note": "\(note)"]) }
                return outcome(file, notes: plan.notes)
            case .failure(let error as StoreError) where error.code == .conflict && attempt < 3:
                logger.notice("payments changed while the file was planned; planning again", metadata: ["file": "\(name)"])
            case .failure(let error as StoreError) where error.code == .conflict:
                throw PipelineError(.internal, "payments kept changing while \(name) was planned (\(attempt) tries): \(error.message)")
            case .failure(let error as PaymentError):
                return try await quarantined(file, error.message, outcome)
            case .failure(let error):
                throw PipelineError(.internal, String(describing: error))
            }
        }
    }

    /// What the file's events do to our payments, planned from the payments as read now.
    private func ledgerPlan(_ plan: InboundPlan, fileID: String, receivedAt: Date) async throws -> LedgerPlan {
        let ids = Array(Set(plan.events.map(\.paymentID) + plan.corrections.map(\.paymentID)))
        let payments = try await store.payments(ids: ids)
        if let missing = ids.sorted().first(where: { payments[$0] == nil }) {
            throw InboundQuarantine(reason: "no payment \(missing); nothing applied")
        }
        var endpoints: [String: [WebhookEndpoint]] = [:]
        for merchant in Set(payments.values.map(\.merchantID)) {
            endpoints[merchant] = try await store.webhookEndpoints(merchantID: merchant).filter(\.enabled)
        }
        var planner = LedgerPlanner(endpoints: endpoints)
        for event in plan.events {
            guard let payment = payments[event.paymentID] else { continue }
            try planner.apply(event, to: payment)
        }
        for correction in plan.corrections {
            guard let payment = payments[correction.paymentID] else { continue }
            planner.correct(payment, with: correction, inboundFileID: fileID, receivedAt: receivedAt)
        }
        for batch in plan.settledBatches { planner.settle(batch, inboundFileID: fileID) }
        return planner.plan
    }

    private func quarantined(_ file: InboundFile, _ reason: String,
                             _ outcome: (InboundFile, [String]) -> Outcome) async throws(PipelineError) -> Outcome {
        var file = file
        file.status = .quarantined
        file.reason = reason
        try await storageStep { try await store.recordInbound(file) }
        logger.error("ALERT inbound file quarantined", metadata: ["file": "\(file.name)", "reason": "\(reason)"])
        return outcome(file, [])
    }

    static let unknownKindReason = "not a NACHA file, FedACH acknowledgement or BAI2 report"
}

import BankFiles
import Foundation
import Logging
import Payments

/// Applies a bank file to the ledger a piece per transaction, reading it from the archive through
/// its `InboundProcessor` twice, so that a file of a million entries is never held whole and the API
/// keeps answering while it is applied.
///
/// - **Decided whole.** Before anything is written, the file is read through once and every piece
///   planned on its payments as they are, and nothing kept: an unknown payment, a transition the
///   table refuses or a quarantine anywhere refuses the file, and nothing of it is applied (the
///   caller quarantines it).
/// - **Applied once.** Then it is read again and each piece planned again on its payments as they
///   are now, and committed with its changes, history, funds and events and the file's resume point
///   (`InboundFile.appliedEvents`, the events of the pieces written); the store refuses a piece whose
///   file is not at the point it expects. A run that dies leaves the file `applying`, and the next
///   ingest of the same bytes resumes it there. Settled batches are recorded with the last piece, so
///   the ledger a resumed read sees gives the same pieces.
/// - **Concurrent changes.** A payment changed between a piece's read and its write means planning
///   that piece again. Should the change make an event impossible once earlier pieces are in, the
///   event is left out with a note for the operator, never applied halfway.
struct InboundApplication {
    let store: any LedgerStore
    let archive: Archive
    let logger: Logger
    /// Events per transaction.
    let chunkSize: Int
    /// The time the file's time rules are judged at (the job's clock), the same for both reads.
    let now: Date

    enum Refusal: Error {
        case refused(String)
        /// Another run recorded the same bytes between this one's duplicate check and its first write.
        case recordedMeanwhile(InboundFile)
    }

    /// Where an application starts.
    enum Start {
        /// A file received now: decided whole, then recorded with its first piece.
        case new
        /// A file a dead run left applying: from its resume point, already decided.
        case resuming
        /// A quarantined file an operator retried: decided whole again, then moved back to applying
        /// at its first event with `note` saying who asked.
        case retrying(note: String)
    }

    /// The file as applied and what else it did, or the reason nothing was applied.
    func apply(_ processor: any InboundProcessor, to file: InboundFile, start: Start) async throws -> Result<(InboundFile, InboundEffects), Refusal> {
        do {
            switch start {
            case .new:
                try await decide(processor, file)
                return .success(try await write(processor, file, resuming: false))
            case .resuming:
                return .success(try await write(processor, file, resuming: true))
            case .retrying(let note):
                try await decide(processor, file)
                var reopened = file
                reopened.status = .applying
                reopened.reason = nil
                reopened.appliedEvents = 0
                reopened.notes.append(note)
                try await store.retryInbound(reopened)
                return .success(try await write(processor, reopened, resuming: true))
            }
        } catch let refusal as Refusal {
            return .failure(refusal)
        } catch let quarantine as InboundQuarantine {
            return .failure(.refused(quarantine.reason))
        }
    }

    /// Every piece planned on its payments as they are, and dropped: throws the first refusal.
    private func decide(_ processor: any InboundProcessor, _ file: InboundFile) async throws {
        var endpoints: [String: [WebhookEndpoint]] = [:]
        try await processor.read(file.archivePath, from: archive, fileID: file.id, now: now, store: store, pieceSize: chunkSize) { piece in
            if case .failure(let refusal) = ledgerPlan(piece, on: try await read(piece, endpoints: &endpoints), excluding: [],
                                                       fileID: file.id, receivedAt: file.receivedAt) {
                throw Refusal.refused(refusal.reason)
            }
        }
    }

    /// The pieces after the resume point written one transaction each, the last one (held back
    /// until the read ends) marking the file processed.
    private func write(_ processor: any InboundProcessor, _ start: InboundFile, resuming: Bool) async throws -> (InboundFile, InboundEffects) {
        var progress = Progress(file: start, after: resuming ? start.appliedEvents : nil)
        var held: (piece: PieceEvents, end: Int)?
        var settled: [UnsettledBatch] = []
        var position = 0
        do {
            try await processor.read(start.archivePath, from: archive, fileID: start.id, now: now, store: store, pieceSize: chunkSize) { piece in
                let first = position
                position += piece.eventCount
                progress.effects.note(piece.notes)
                settled += piece.settledBatches
                guard position > start.appliedEvents || !resuming else { return }
                var piece = resuming ? piece.droppingEvents(start.appliedEvents - first) : piece
                piece.notes = []
                piece.settledBatches = []
                if let earlier = held { try await write(earlier.piece, end: earlier.end, last: false, &progress) }
                held = (piece, position)
            }
        } catch let quarantine as InboundQuarantine where progress.after == nil {
            throw quarantine
        } catch let quarantine as InboundQuarantine {
            throw PipelineError(.internal, "\(start.id) was decided whole, yet reading it again after some of it was applied refused it: \(quarantine.reason)")
        }
        var last = held ?? (PieceEvents(), position)
        last.piece.settledBatches = settled
        try await write(last.piece, end: last.end, last: true, &progress)
        return (progress.file, progress.effects)
    }

    /// The file as written so far.
    private struct Progress {
        var file: InboundFile
        /// The resume point of the last piece written, nil before the first.
        var after: Int?
        var effects = InboundEffects()
        var endpoints: [String: [WebhookEndpoint]] = [:]
    }

    /// Writes one piece, planned on its payments as they are now, planning it again when they change
    /// before the write.
    private func write(_ piece: PieceEvents, end: Int, last: Bool, _ progress: inout Progress) async throws {
        var planned = ledgerPlan(piece, on: try await read(piece, endpoints: &progress.endpoints), excluding: [],
                                 fileID: progress.file.id, receivedAt: progress.file.receivedAt)
        var attempt = 0
        var excluded: Set<String> = []
        while true {
            attempt += 1
            let ledger: LedgerPlan, checks: CheckPlan
            switch planned {
            case .success(let plans): (ledger, checks) = plans
            case .failure(let refusal):
                // Nothing applied yet: the file is refused whole, as deciding it would have.
                guard progress.after != nil else { throw Refusal.refused(refusal.reason) }
                excluded.insert(refusal.requestID)
                progress.effects.note(["\(refusal.requestID) changed while the file was applied; its event was not applied: \(refusal.reason)"])
                planned = try await replan(piece, excluding: excluded, &progress)
                continue
            }
            var next = progress.file
            next.status = last ? .processed : .applying
            next.applied = progress.file.applied + (ledger.history + checks.history).count(where: InboundEffects.isChange)
            next.appliedEvents = end
            // What the bank said against the ledger flags the file, as any note does.
            var effects = progress.effects
            effects.discrepancy(ledger.discrepancies + checks.discrepancies)
            effects.exceptionsOpened += checks.newExceptions.count
            effects.rejected += ledger.rejections
            if last { next.notes = progress.file.notes + effects.keptNotes }
            let conflict: StoreError
            do {
                try await store.applyInbound(next, plan: ledger, checks: checks, after: progress.after)
                progress.effects = effects
                progress.file = next
                progress.after = end
                return
            } catch let error as StoreError where error.code == .conflict {
                conflict = error
            } catch let error as PaymentError where progress.after == nil {
                throw Refusal.refused(error.message)
            }
            // A first write that conflicts because the same bytes are on record now: another run
            // (another host) took this file first, and nothing of this run was written.
            if progress.after == nil, let earlier = try await store.inboundFile(sha256: progress.file.sha256) {
                throw Refusal.recordedMeanwhile(earlier)
            }
            guard attempt < 3 else { throw conflict }
            logger.notice("payments or checks changed while the file was planned; planning again", metadata: ["file": "\(progress.file.name)"])
            planned = try await replan(piece, excluding: excluded, &progress)
        }
    }

    /// Why an event cannot be planned.
    struct EventRefusal: Error {
        /// The payment or check.
        var requestID: String
        var reason: String
    }

    /// The payments and checks a plan touches, as read now, and their merchants' enabled endpoints.
    struct Snapshot {
        var payments: [String: Payment]
        var checks: [String: CheckIssue]
        var endpoints: [String: [WebhookEndpoint]]
    }

    static func paymentIDs(_ piece: PieceEvents) -> [String] {
        piece.events.map(\.paymentID) + piece.corrections.map(\.paymentID)
    }

    /// The payments `piece` touches, starting from those its processor read unless `fresh`, and their
    /// merchants' enabled endpoints, each merchant's read once per pass (`endpoints`), as a whole-file
    /// snapshot would have.
    private func read(_ piece: PieceEvents, fresh: Bool = false, excluding excluded: Set<String> = [],
                      endpoints: inout [String: [WebhookEndpoint]]) async throws -> Snapshot {
        let ids = Self.paymentIDs(piece).filter { !excluded.contains($0) }
        var payments = fresh ? [:] : piece.payments.filter { !excluded.contains($0.key) }
        let missing = ids.filter { payments[$0] == nil }
        if !missing.isEmpty { payments.merge(try await store.payments(ids: missing)) { first, _ in first } }
        let checkIDs = (piece.checkEvents.map(\.checkID) + piece.exceptions.compactMap(\.checkID)).filter { !excluded.contains($0) }
        var checks = fresh ? [:] : piece.checks.filter { !excluded.contains($0.key) }
        let unread = checkIDs.filter { checks[$0] == nil }
        if !unread.isEmpty { checks.merge(try await store.checks(ids: unread)) { first, _ in first } }
        var known: [String: [WebhookEndpoint]] = [:]
        for merchant in Set(payments.values.map(\.merchantID) + checks.values.map(\.merchantID) + piece.exceptions.map(\.merchantID)) {
            if endpoints[merchant] == nil { endpoints[merchant] = try await store.webhookEndpoints(merchantID: merchant).filter(\.enabled) }
            known[merchant] = endpoints[merchant]
        }
        return Snapshot(payments: payments, checks: checks, endpoints: known)
    }

    /// A piece planned again on its payments as they are now.
    private func replan(_ piece: PieceEvents, excluding excluded: Set<String>, _ progress: inout Progress) async throws -> Result<(LedgerPlan, CheckPlan), EventRefusal> {
        let snapshot = try await read(piece, fresh: true, excluding: excluded, endpoints: &progress.endpoints)
        return ledgerPlan(piece, on: snapshot, excluding: excluded, fileID: progress.file.id, receivedAt: progress.file.receivedAt)
    }

    /// What these events do to our payments and checks, planned on `snapshot`.
    private func ledgerPlan(_ piece: PieceEvents, on snapshot: Snapshot, excluding excluded: Set<String>, fileID: String,
                            receivedAt: Date) -> Result<(LedgerPlan, CheckPlan), EventRefusal> {
        let ids = Set(Self.paymentIDs(piece)).subtracting(excluded)
        if let missing = ids.sorted().first(where: { snapshot.payments[$0] == nil }) {
            return .failure(EventRefusal(requestID: missing, reason: "no payment \(missing); nothing applied"))
        }
        var checks = CheckPlanner(endpoints: snapshot.endpoints)
        for event in piece.checkEvents where !excluded.contains(event.checkID) {
            guard let check = snapshot.checks[event.checkID] else {
                return .failure(EventRefusal(requestID: event.checkID, reason: "no check \(event.checkID); nothing applied"))
            }
            do throws(PaymentError) {
                _ = try checks.apply(event, to: check)
            } catch {
                return .failure(EventRefusal(requestID: event.checkID, reason: error.message))
            }
        }
        var planner = LedgerPlanner(endpoints: snapshot.endpoints)
        for event in piece.events where !excluded.contains(event.paymentID) {
            guard let payment = snapshot.payments[event.paymentID] else { continue }
            do throws(PaymentError) {
                _ = try planner.apply(event, to: payment)
            } catch {
                return .failure(EventRefusal(requestID: event.paymentID, reason: error.message))
            }
        }
        for correction in piece.corrections where !excluded.contains(correction.paymentID) {
            guard let payment = snapshot.payments[correction.paymentID] else { continue }
            planner.correct(payment, with: correction, inboundFileID: fileID, receivedAt: receivedAt)
        }
        for batch in piece.settledBatches { planner.settle(batch, inboundFileID: fileID) }
        for exception in piece.exceptions { checks.open(exception, on: exception.checkID.flatMap { snapshot.checks[$0] }) }
        return .success((planner.plan, checks.plan))
    }
}

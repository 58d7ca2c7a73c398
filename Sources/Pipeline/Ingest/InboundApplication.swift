import BankFiles
import Foundation
import Logging
import Payments

/// Applies a bank file's plan to the ledger a chunk of payments per transaction, so that a
/// 100,000-entry file never holds the database for its whole length and the API keeps answering.
///
/// - **Decided whole.** Before anything is written, every chunk is planned, once, on one read of the
///   file's payments: an unknown payment or a transition the table refuses refuses the file, and
///   nothing of it is applied (the caller quarantines it).
/// - **Applied once.** Each chunk commits its payments' changes, history, funds and events with the
///   file's resume point (`InboundFile.appliedEvents`); the store refuses a chunk whose file is not at
///   the point it expects. A run that dies leaves the file `applying`, and the next ingest of the same
///   bytes resumes it there.
/// - **Concurrent changes.** A payment changed between the plan's read and its chunk's write means
///   planning that chunk again. Should the change make an event impossible once earlier chunks are
///   in, the event is left out with a note for the operator, never applied halfway.
struct InboundApplication {
    let store: any LedgerStore
    let logger: Logger
    /// Events per transaction, rounded up to whole payments.
    let chunkSize: Int

    enum Refusal: Error { case refused(String) }

    /// The file as applied and the notes for the operator, or the reason nothing was applied.
    func apply(_ plan: InboundPlan, to file: InboundFile, resuming: Bool) async throws -> Result<(InboundFile, [String]), Refusal> {
        var file = file
        var notes = plan.notes
        let chunks = Self.chunks(Self.groupedByPayment(plan.events), corrections: plan.corrections,
                                 settledBatches: plan.settledBatches, from: file.appliedEvents, size: chunkSize)
        // Every chunk is planned up front on one read of the file's payments (chunks never share a
        // payment): a refusal anywhere refuses the file before anything is written, and a chunk is
        // planned again only when its payments changed before it was written.
        let snapshot = try await read(chunks.flatMap { Self.paymentIDs($0.plan) })
        var planned = chunks.map { ledgerPlan($0.plan, on: snapshot, excluding: [], fileID: file.id, receivedAt: file.receivedAt) }
        if !resuming {
            for case .failure(let refusal) in planned { return .failure(.refused(refusal.reason)) }
        }
        var after: Int? = resuming ? file.appliedEvents : nil
        for (index, chunk) in chunks.enumerated() {
            let last = index == chunks.count - 1
            var attempt = 0
            var excluded: Set<String> = []
            while true {
                attempt += 1
                let ledger: LedgerPlan
                switch planned[index] {
                case .success(let plan): ledger = plan
                case .failure(let refusal):
                    // Nothing applied yet: the file is refused whole, as the up-front plan would have.
                    guard after != nil else { return .failure(.refused(refusal.reason)) }
                    excluded.insert(refusal.paymentID)
                    notes.append("payment \(refusal.paymentID) changed while the file was applied; its event was not applied: \(refusal.reason)")
                    planned[index] = try await replan(chunk.plan, excluding: excluded, file: file)
                    continue
                }
                var next = file
                next.status = last ? .processed : .applying
                next.applied = file.applied + ledger.history.count
                next.appliedEvents = chunk.end
                let written: Result<Void, any Error>
                do {
                    try await store.applyInbound(next, plan: ledger, after: after)
                    written = .success(())
                } catch {
                    written = .failure(error)
                }
                switch written {
                case .success:
                    file = next
                    after = chunk.end
                case .failure(let error as StoreError) where error.code == .conflict && attempt < 3:
                    logger.notice("payments changed while the file was planned; planning again", metadata: ["file": "\(file.name)"])
                    planned[index] = try await replan(chunk.plan, excluding: excluded, file: file)
                    continue
                case .failure(let error as PaymentError) where after == nil:
                    return .failure(.refused(error.message))
                case .failure(let error):
                    throw error
                }
                break
            }
        }
        return .success((file, notes))
    }

    /// One transaction's worth of the file: whole payments' events, the corrections of those payments
    /// (and, in the last chunk, any other corrections and the settled batches), and the resume point after it.
    struct Chunk {
        var plan: InboundPlan
        var end: Int
    }

    /// Each payment's events together, in the order its first event appears: a chunk boundary never
    /// splits a payment, and the same file always gives the same order, so a resume point holds.
    static func groupedByPayment(_ events: [BankEvent]) -> [BankEvent] {
        var order: [String] = []
        var byPayment: [String: [BankEvent]] = [:]
        for event in events {
            if byPayment[event.paymentID] == nil { order.append(event.paymentID) }
            byPayment[event.paymentID, default: []].append(event)
        }
        return order.flatMap { byPayment[$0] ?? [] }
    }

    static func chunks(_ events: [BankEvent], corrections: [CounterpartyCorrection], settledBatches: [UnsettledBatch],
                       from start: Int, size: Int) -> [Chunk] {
        let applied = Set(events.prefix(start).map(\.paymentID))
        var pendingCorrections = corrections.filter { !applied.contains($0.paymentID) }
        var chunks: [Chunk] = []
        var index = start
        while index < events.count {
            var end = min(index + size, events.count)
            while end < events.count, events[end].paymentID == events[end - 1].paymentID { end += 1 }
            var plan = InboundPlan()
            plan.events = Array(events[index..<end])
            let ids = Set(plan.events.map(\.paymentID))
            plan.corrections = pendingCorrections.filter { ids.contains($0.paymentID) }
            pendingCorrections.removeAll { ids.contains($0.paymentID) }
            chunks.append(Chunk(plan: plan, end: end))
            index = end
        }
        if chunks.isEmpty { chunks.append(Chunk(plan: InboundPlan(), end: events.count)) }
        chunks[chunks.count - 1].plan.corrections += pendingCorrections
        chunks[chunks.count - 1].plan.settledBatches = settledBatches
        return chunks
    }

    /// Why an event cannot be planned.
    struct EventRefusal: Error {
        var paymentID: String
        var reason: String
    }

    /// The payments a plan touches, as read now, and their merchants' enabled endpoints.
    struct Snapshot {
        var payments: [String: Payment]
        var endpoints: [String: [WebhookEndpoint]]
    }

    static func paymentIDs(_ plan: InboundPlan) -> [String] {
        plan.events.map(\.paymentID) + plan.corrections.map(\.paymentID)
    }

    private func read(_ ids: [String]) async throws -> Snapshot {
        let payments = try await store.payments(ids: ids)
        var endpoints: [String: [WebhookEndpoint]] = [:]
        for merchant in Set(payments.values.map(\.merchantID)) {
            endpoints[merchant] = try await store.webhookEndpoints(merchantID: merchant).filter(\.enabled)
        }
        return Snapshot(payments: payments, endpoints: endpoints)
    }

    /// A chunk planned again on its payments as they are now.
    private func replan(_ plan: InboundPlan, excluding excluded: Set<String>, file: InboundFile) async throws -> Result<LedgerPlan, EventRefusal> {
        let snapshot = try await read(Self.paymentIDs(plan).filter { !excluded.contains($0) })
        return ledgerPlan(plan, on: snapshot, excluding: excluded, fileID: file.id, receivedAt: file.receivedAt)
    }

    /// What these events do to our payments, planned on `snapshot`.
    private func ledgerPlan(_ plan: InboundPlan, on snapshot: Snapshot, excluding excluded: Set<String>, fileID: String,
                            receivedAt: Date) -> Result<LedgerPlan, EventRefusal> {
        let ids = Set(Self.paymentIDs(plan)).subtracting(excluded)
        if let missing = ids.sorted().first(where: { snapshot.payments[$0] == nil }) {
            return .failure(EventRefusal(paymentID: missing, reason: "no payment \(missing); nothing applied"))
        }
        var planner = LedgerPlanner(endpoints: snapshot.endpoints)
        for event in plan.events where !excluded.contains(event.paymentID) {
            guard let payment = snapshot.payments[event.paymentID] else { continue }
            do throws(PaymentError) {
                _ = try planner.apply(event, to: payment)
            } catch {
                return .failure(EventRefusal(paymentID: event.paymentID, reason: error.message))
            }
        }
        for correction in plan.corrections where !excluded.contains(correction.paymentID) {
            guard let payment = snapshot.payments[correction.paymentID] else { continue }
            planner.correct(payment, with: correction, inboundFileID: fileID, receivedAt: receivedAt)
        }
        for batch in plan.settledBatches { planner.settle(batch, inboundFileID: fileID) }
        return .success(planner.plan)
    }
}

import BankFiles
import Foundation
import Logging
import Payments

/// Applies a bank file's plan to the ledger a chunk of payments per transaction, so that a
/// 100,000-entry file never holds the database for its whole length and the API keeps answering.
///
/// - **Decided whole.** Before anything is written, every event is planned on the payments as they
///   are: an unknown payment or a transition the table refuses refuses the file, and nothing of it
///   is applied (the caller quarantines it).
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
        // A single chunk is planned strictly anyway; several are decided on together first.
        if !resuming, chunks.count > 1, case .failure(let refusal) = try await decide(plan, fileID: file.id, receivedAt: file.receivedAt) {
            return .failure(refusal)
        }
        var after: Int? = resuming ? file.appliedEvents : nil
        for (index, chunk) in chunks.enumerated() {
            let last = index == chunks.count - 1
            var attempt = 0
            var excluded: Set<String> = []
            while true {
                attempt += 1
                let ledger: LedgerPlan
                switch try await ledgerPlan(chunk.plan, excluding: excluded, fileID: file.id, receivedAt: file.receivedAt) {
                case .success(let planned): ledger = planned
                case .failure(let refusal):
                    // Nothing applied yet: the file is refused whole, as the decision would have.
                    guard after != nil else { return .failure(.refused(refusal.reason)) }
                    excluded.insert(refusal.paymentID)
                    notes.append("payment \(refusal.paymentID) changed while the file was applied; its event was not applied: \(refusal.reason)")
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

    /// The whole file planned once on the payments as they are, written nowhere.
    private func decide(_ plan: InboundPlan, fileID: String, receivedAt: Date) async throws -> Result<Void, Refusal> {
        switch try await ledgerPlan(plan, excluding: [], fileID: fileID, receivedAt: receivedAt) {
        case .success: return .success(())
        case .failure(let refusal): return .failure(.refused(refusal.reason))
        }
    }

    /// What these events do to our payments, planned from the payments as read now.
    private func ledgerPlan(_ plan: InboundPlan, excluding excluded: Set<String>, fileID: String,
                      receivedAt: Date) async throws -> Result<LedgerPlan, EventRefusal> {
        let ids = Array(Set(plan.events.map(\.paymentID) + plan.corrections.map(\.paymentID)).subtracting(excluded))
        let payments = try await store.payments(ids: ids)
        if let missing = ids.sorted().first(where: { payments[$0] == nil }) {
            return .failure(EventRefusal(paymentID: missing, reason: "no payment \(missing); nothing applied"))
        }
        var endpoints: [String: [WebhookEndpoint]] = [:]
        for merchant in Set(payments.values.map(\.merchantID)) {
            endpoints[merchant] = try await store.webhookEndpoints(merchantID: merchant).filter(\.enabled)
        }
        var planner = LedgerPlanner(endpoints: endpoints)
        for event in plan.events where !excluded.contains(event.paymentID) {
            guard let payment = payments[event.paymentID] else { continue }
            do throws(PaymentError) {
                _ = try planner.apply(event, to: payment)
            } catch {
                return .failure(EventRefusal(paymentID: event.paymentID, reason: error.message))
            }
        }
        for correction in plan.corrections where !excluded.contains(correction.paymentID) {
            guard let payment = payments[correction.paymentID] else { continue }
            planner.correct(payment, with: correction, inboundFileID: fileID, receivedAt: receivedAt)
        }
        for batch in plan.settledBatches { planner.settle(batch, inboundFileID: fileID) }
        return .success(planner.plan)
    }
}

import Foundation
import Payments
import PostgresNIO

/// The one write path of the ledger on PostgreSQL: persists a `LedgerPlan` inside the caller's
/// transaction, one set-based statement per table whatever the plan's size. It decides nothing. A
/// payment row no longer at the version (and binding) the plan expects, or a balance the plan would
/// take below zero, refuses the whole plan.
enum PostgresPlanWriter {
    /// Persists `plan`. Staged under a pending import (`importID`), its new payments carry the import's
    /// id, its funds moves wait in `staged_funds` and its deliveries are held until the import is published.
    static func persist(_ plan: LedgerPlan, _ session: Session, faults: FaultInjector, stagedIn importID: String? = nil) async throws {
        if !plan.newPayments.isEmpty {
            try await insertPayments(plan.newPayments.map(\.payment), importID: importID, session)
            try faults.hit(.afterPaymentInsert)
        }
        if !plan.updates.isEmpty {
            try await update(plan.updates, session)
            if plan.updates.contains(where: { $0.parts.contains(.lifecycle) }) { try faults.hit(.afterStateUpdate) }
        }
        for transition in plan.fileTransitions { try await apply(transition, session, faults: faults) }
        if let importID { try await stageFunds(plan.funds, importID: importID, session) } else { try await moveFunds(plan.funds, session) }
        try await session.insert(plan.history, into: "payment_history", requestColumn: "payment_id")
        try await session.insert(into: "idempotency_keys", rows: plan.newPayments.count) { columns in
            let new = plan.newPayments
            columns.text("merchant_id", new.map(\.payment.merchantID))
            columns.text("key", new.map(\.payment.idempotencyKey))
            columns.text("fingerprint", new.map(\.fingerprint))
            columns.text("payment_id", new.map(\.payment.id))
            columns.int("created_at", new.map { PostgresStore.milliseconds($0.payment.createdAt) })
            columns.text("response_body", new.map { $0.response.map { String(decoding: $0, as: UTF8.self) } })
        }
        try await session.insert(into: "counterparty_corrections", rows: plan.corrections.count) { columns in
            let recorded = plan.corrections
            let corrections = recorded.map(\.correction)
            columns.text("merchant_id", corrections.map(\.merchantID))
            columns.text("payment_id", corrections.map(\.paymentID))
            columns.text("inbound_file_id", recorded.map(\.inboundFileID))
            columns.text("change_code", corrections.map(\.changeCode))
            columns.text("routing_number", corrections.map(\.routingNumber))
            columns.text("account_number", corrections.map(\.accountNumber))
            columns.text("corrected_routing_number", corrections.map(\.correctedRoutingNumber))
            columns.text("corrected_account_number", corrections.map(\.correctedAccountNumber))
            columns.text("corrected_account_type", corrections.map(\.correctedAccountType.rawValue))
            columns.text("corrected_name", corrections.map(\.correctedName))
            columns.int("created_at", recorded.map { PostgresStore.milliseconds($0.createdAt) })
        }
        try await session.insert(into: "settled_batches", rows: plan.settledBatches.count) { columns in
            let batches = plan.settledBatches
            columns.text("file_id", batches.map(\.fileID))
            columns.int("batch_number", batches.map { Int64($0.batchNumber) })
            columns.text("inbound_file_id", batches.map(\.inboundFileID))
            columns.int("amount_cents", batches.map(\.amount))
        }
        try await insertEvents(plan.events, heldUntilPublished: importID != nil, session)
        try await session.insert(into: "approvals", rows: plan.approvals.count) { columns in
            let approvals = plan.approvals
            columns.text("id", approvals.map(\.id))
            columns.text("subject", approvals.map(\.subject.rawValue))
            columns.text("subject_id", approvals.map(\.subjectID))
            columns.int("ordinal", approvals.map { Int64($0.ordinal) })
            columns.text("operator", approvals.map(\.operatorName))
            columns.text("decision", approvals.map(\.decision.rawValue))
            columns.text("sha256", approvals.map(\.sha256))
            columns.text("reason", approvals.map(\.reason))
            columns.int("created_at", approvals.map { PostgresStore.milliseconds($0.at) })
        }
    }

    /// The outbox events of a plan (payments' or checks') and a pending delivery per endpoint each
    /// fans out to, due now or, for a staged import, once it is published.
    static func insertEvents(_ events: [OutboxEvent], heldUntilPublished held: Bool = false, _ session: Session) async throws {
        try await session.insert(into: "webhook_events", rows: events.count) { columns in
            columns.text("id", events.map(\.id))
            columns.text("merchant_id", events.map(\.merchantID))
            columns.text("subject_id", events.map(\.subjectID))
            columns.int("subject_version", events.map { Int64($0.subjectVersion) })
            columns.text("type", events.map(\.type.rawValue))
            columns.int("created_at", events.map { PostgresStore.milliseconds($0.createdAt) })
        }
        let deliveries = events.flatMap { event in event.endpointIDs.map { (event, $0) } }
        try await session.insert(into: "webhook_deliveries", rows: deliveries.count) { columns in
            columns.text("event_id", deliveries.map(\.0.id))
            columns.text("endpoint_id", deliveries.map(\.1))
            columns.text("subject_id", deliveries.map(\.0.subjectID))
            columns.int("subject_version", deliveries.map { Int64($0.0.subjectVersion) })
            columns.text("status", deliveries.map { _ in WebhookDeliveryStatus.Status.pending.rawValue })
            columns.int("next_attempt_at", deliveries.map { held ? heldUntilPublished : PostgresStore.milliseconds($0.0.createdAt) })
            columns.int("created_at", deliveries.map { PostgresStore.milliseconds($0.0.createdAt) })
        }
    }

    /// The due time of a staged import's deliveries: never, until publishing makes them due.
    static let heldUntilPublished = Int64.max

    // MARK: Payment rows

    static func insertPayments(_ payments: [Payment], importID: String?, _ session: Session) async throws {
        var columns = UnnestColumns()
        columns.text("id", payments.map(\.id))
        columns.text("merchant_id", payments.map(\.merchantID))
        columns.text("state", payments.map(\.state.rawValue))
        columns.int("version", payments.map { Int64($0.version) })
        columns.int("amount_cents", payments.map(\.amount))
        columns.text("currency", payments.map(\.currency))
        columns.text("direction", payments.map(\.direction.rawValue))
        columns.text("sec_code", payments.map(\.secCode.rawValue))
        columns.text("description", payments.map(\.description))
        columns.text("effective_date", payments.map(\.effectiveDate.description))
        columns.text("counterparty_name", payments.map(\.counterparty.name))
        columns.text("routing_number", payments.map(\.counterparty.routingNumber))
        columns.text("account_number", payments.map(\.counterparty.accountNumber))
        columns.text("account_type", payments.map(\.counterparty.accountType.rawValue))
        columns.text("metadata", payments.map(\.metadataJSON))
        columns.text("idempotency_key", payments.map(\.idempotencyKey))
        columns.int("reserved_cents", payments.map(\.reservedAmount))
        columns.text("failure_code", payments.map { $0.failure?.code })
        columns.text("failure_message", payments.map { $0.failure?.message })
        columns.int("created_at", payments.map { PostgresStore.milliseconds($0.createdAt) })
        columns.int("updated_at", payments.map { PostgresStore.milliseconds($0.updatedAt) })
        columns.text("settlement", payments.map(\.settlement.rawValue))
        columns.text("profile", payments.map(\.profile))
        columns.int("approvals_required", payments.map { Int64($0.approval?.required ?? 0) })
        columns.int("approvals_given", payments.map { Int64($0.approval?.given ?? 0) })
        let names = columns.names.joined(separator: ", ")
        let imported = columns.scalar(importID)
        try await session.count(columns.query("""
            INSERT INTO payments (\(names), import_id) SELECT u.*, \(imported)::text FROM \(columns.unnest(as: "u"))
            """))
    }

    /// A file-wide step in two statements: the rows moved on (checked by count), then their history
    /// rows, read back from the rows themselves (new version, line in the file).
    private static func apply(_ transition: LedgerPlan.FileTransition, _ session: Session, faults: FaultInjector) async throws {
        let at = PostgresStore.milliseconds(transition.at)
        let moved = try await session.count("""
            UPDATE payments SET state = \(transition.to.rawValue), version = version + 1, updated_at = \(at)
            WHERE file_id = \(transition.fileID) AND state = \(transition.from.rawValue)
            """)
        guard moved == transition.count else {
            throw StoreError(.conflict, "\(transition.count - moved) payments of file \(transition.fileID) changed since they were read")
        }
        try faults.hit(.afterStateUpdate)
        try await session.count("""
            INSERT INTO payment_history (payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                                         source_line, created_at)
            SELECT id, version, \(transition.from.rawValue), \(transition.to.rawValue), \(transition.actor.rawValue),
                   \(transition.reasonCode), \(transition.reasonText), \(transition.source.file), file_line, \(at)
            FROM payments WHERE file_id = \(transition.fileID)
            """)
    }

    /// The columns each part of an update writes.
    private static func assign(_ parts: LedgerPlan.PaymentUpdate.Parts, _ payments: [Payment], to columns: inout UnnestColumns) {
        if parts.contains(.lifecycle) {
            columns.text("state", payments.map(\.state.rawValue))
            columns.int("version", payments.map { Int64($0.version) })
            columns.int("reserved_cents", payments.map(\.reservedAmount))
            columns.text("failure_code", payments.map { $0.failure?.code })
            columns.text("failure_message", payments.map { $0.failure?.message })
            columns.int("updated_at", payments.map { PostgresStore.milliseconds($0.updatedAt) })
        }
        if parts.contains(.submission) {
            columns.text("file_id", payments.map { $0.submission?.fileID })
            columns.int("batch_number", payments.map { $0.submission.map { Int64($0.batchNumber) } })
            columns.int("trace_number", payments.map { $0.submission.map { Int64($0.traceNumber) } })
            columns.int("file_line", payments.map { $0.submission.map { Int64($0.line) } })
            columns.text("entry_effective_date", payments.map { $0.submission?.entryEffectiveDate?.description })
        }
        if parts.contains(.counterparty) {
            columns.text("counterparty_name", payments.map(\.counterparty.name))
            columns.text("routing_number", payments.map(\.counterparty.routingNumber))
            columns.text("account_number", payments.map(\.counterparty.accountNumber))
            columns.text("account_type", payments.map(\.counterparty.accountType.rawValue))
        }
        if parts.contains(.settlement) { columns.text("settlement", payments.map(\.settlement.rawValue)) }
        if parts.contains(.approval) { columns.int("approvals_given", payments.map { Int64($0.approval?.given ?? 0) }) }
    }

    /// Updates grouped by the parts they change, one UPDATE joined on the unnested rows per group.
    /// The version (and binding) each row must still have is part of the join, so a stale row is
    /// simply not updated, and the count says so.
    private static func update(_ updates: [LedgerPlan.PaymentUpdate], _ session: Session) async throws {
        let groups = Dictionary(grouping: updates, by: \.parts.rawValue)
        for rawParts in groups.keys.sorted() {
            guard let group = groups[rawParts] else { continue }
            var columns = UnnestColumns()
            columns.text("id", group.map(\.payment.id))
            columns.int("expected_version", group.map { Int64($0.expectedVersion) })
            columns.text("expected_file_id", group.map(\.expectedFileID))
            assign(LedgerPlan.PaymentUpdate.Parts(rawValue: rawParts), group.map(\.payment), to: &columns)
            let assignments = columns.names.dropFirst(3).map { "\($0) = u.\($0)" }.joined(separator: ", ")
            let updated = try await session.count(columns.query("""
                UPDATE payments AS p SET \(assignments) FROM \(columns.unnest(as: "u"))
                WHERE p.id = u.id AND p.version = u.expected_version AND p.file_id IS NOT DISTINCT FROM u.expected_file_id
                """))
            guard updated == group.count else {
                throw StoreError(.conflict, "\(group.count - updated) of \(group.count) payments changed since they were read")
            }
        }
    }

    // MARK: Funds

    /// One conditional balance update per merchant (in id order, so concurrent plans lock merchants
    /// in the same order), and a ledger row per move with the balance after it.
    private static func moveFunds(_ moves: [FundsMove], _ session: Session) async throws {
        guard !moves.isEmpty else { return }
        var totals: [String: Int64] = [:]
        for move in moves { totals[move.merchantID, default: 0] += move.amount }
        var running: [String: Int64] = [:]
        for merchant in totals.keys.sorted() {
            let total = totals[merchant] ?? 0
            guard let balance = try await session.value("""
                UPDATE merchants SET balance_cents = balance_cents + \(total) WHERE id = \(merchant) AND balance_cents + \(total) >= 0
                RETURNING balance_cents
                """, as: Int64.self) else {
                guard try await session.value("SELECT 1 FROM merchants WHERE id = \(merchant)", as: Int32.self) != nil else {
                    throw PaymentError(.merchantNotFound, "no merchant \(merchant)")
                }
                // The plan's funds check was decided on a balance that has moved since.
                throw StoreError(.conflict, "the balance of merchant \(merchant) changed since it was read")
            }
            running[merchant] = balance - total
        }
        let balances = moves.map { move in
            let after = (running[move.merchantID] ?? 0) + move.amount
            running[move.merchantID] = after
            return after
        }
        let now = PostgresStore.milliseconds(Date())
        try await session.insert(into: "funding_ledger", rows: moves.count) { columns in
            columns.text("merchant_id", moves.map(\.merchantID))
            columns.text("payment_id", moves.map(\.paymentID))
            columns.text("kind", moves.map(\.kind.rawValue))
            columns.int("amount_cents", moves.map(\.amount))
            columns.int("balance_after_cents", balances)
            columns.text("actor", moves.map(\.actor.rawValue))
            columns.text("reference", moves.map(\.reference))
            columns.int("created_at", moves.map { _ in now })
        }
    }

    /// A staged import's funds moves, kept apart until it is published (`PostgresStore.publishImport`).
    private static func stageFunds(_ moves: [FundsMove], importID: String, _ session: Session) async throws {
        let now = PostgresStore.milliseconds(Date())
        try await session.insert(into: "staged_funds", rows: moves.count) { columns in
            columns.text("import_id", moves.map { _ in importID })
            columns.text("merchant_id", moves.map(\.merchantID))
            columns.text("payment_id", moves.map(\.paymentID))
            columns.text("kind", moves.map(\.kind.rawValue))
            columns.int("amount_cents", moves.map(\.amount))
            columns.text("actor", moves.map(\.actor.rawValue))
            columns.text("reference", moves.map(\.reference))
            columns.int("created_at", moves.map { _ in now })
        }
    }
}

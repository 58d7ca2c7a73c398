import Foundation
import GRDB
import Payments

/// The one write path of the ledger: persists a `LedgerPlan` inside the caller's transaction, with
/// a few multi-row statements whatever its size (a 100,000-entry bank file is not 500,000
/// statements). It decides nothing. A payment row no longer at the version (and binding) the plan
/// expects, or a balance the plan would take below zero, refuses the whole plan.
enum LedgerPlanWriter {
    typealias Values = [(any DatabaseValueConvertible)?]

    /// Typed non-optional on purpose: where `StatementArguments?` is accepted, `StatementArguments(…)`
    /// can resolve to its failable `[Any]` initializer, which yields nil (no arguments) when a value is nil.
    private static func arguments(_ values: Values) -> StatementArguments { StatementArguments(values) }

    static func persist(_ plan: LedgerPlan, _ db: Database, faults: FaultInjector) throws {
        if !plan.newPayments.isEmpty {
            try insertRows(db, into: "payments (\(SQLiteStore.insertedPaymentColumns))", columns: 21,
                           rows: plan.newPayments.map { SQLiteStore.insertValues($0.payment) })
            try faults.hit(.afterPaymentInsert)
        }
        if !plan.updates.isEmpty {
            try update(plan.updates, db)
            if plan.updates.contains(where: { $0.parts.contains(.lifecycle) }) { try faults.hit(.afterStateUpdate) }
        }
        try moveFunds(plan.funds, db)
        try insertRows(db, into: """
            payment_history (payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                             source_line, created_at)
            """, columns: 10, rows: plan.history.map { entry in
                [entry.paymentID, entry.version, entry.fromState?.rawValue, entry.toState.rawValue, entry.actor.rawValue,
                 entry.reasonCode, entry.reasonText, entry.source?.file, entry.source?.line, SQLiteStore.milliseconds(entry.createdAt)]
            })
        try insertRows(db, into: "idempotency_keys (merchant_id, key, fingerprint, payment_id, created_at, response_body)",
                       columns: 6, rows: plan.newPayments.map { new in
                           [new.payment.merchantID, new.payment.idempotencyKey, new.fingerprint, new.payment.id,
                            SQLiteStore.milliseconds(new.payment.createdAt), new.response.map { String(decoding: $0, as: UTF8.self) }]
                       })
        try insertRows(db, into: """
            counterparty_corrections (merchant_id, payment_id, inbound_file_id, change_code, routing_number, account_number,
                                      corrected_routing_number, corrected_account_number, corrected_account_type, corrected_name,
                                      created_at)
            """, columns: 11, rows: plan.corrections.map { recorded in
                let c = recorded.correction
                return [c.merchantID, c.paymentID, recorded.inboundFileID, c.changeCode, c.routingNumber, c.accountNumber,
                        c.correctedRoutingNumber, c.correctedAccountNumber, c.correctedAccountType.rawValue, c.correctedName,
                        SQLiteStore.milliseconds(recorded.createdAt)]
            })
        try insertRows(db, into: "settled_batches (file_id, batch_number, inbound_file_id, amount_cents)", columns: 4,
                       rows: plan.settledBatches.map { [$0.fileID, $0.batchNumber, $0.inboundFileID, $0.amount] })
        try insertRows(db, into: "webhook_events (id, merchant_id, payment_id, payment_version, type, created_at)", columns: 6,
                       rows: plan.events.map { [$0.id, $0.merchantID, $0.paymentID, $0.paymentVersion, $0.type.rawValue,
                                                SQLiteStore.milliseconds($0.createdAt)] })
        try insertRows(db, into: """
            webhook_deliveries (event_id, endpoint_id, payment_id, payment_version, status, next_attempt_at, created_at)
            """, columns: 7, rows: plan.events.flatMap { event in
                let at = SQLiteStore.milliseconds(event.createdAt)
                return event.endpointIDs.map { endpoint -> Values in
                    [event.id, endpoint, event.paymentID, event.paymentVersion, WebhookDeliveryStatus.Status.pending.rawValue, at, at]
                }
            })
    }

    // MARK: Payment rows

    /// The columns each part of an update writes.
    private static func assignments(_ parts: LedgerPlan.PaymentUpdate.Parts) -> [String] {
        var columns: [String] = []
        if parts.contains(.lifecycle) {
            columns += ["state", "version", "reserved_cents", "failure_code", "failure_message", "updated_at"]
        }
        if parts.contains(.submission) {
            columns += ["file_id", "batch_number", "trace_number", "file_line", "entry_effective_date"]
        }
        if parts.contains(.counterparty) {
            columns += ["counterparty_name", "routing_number", "account_number", "account_type"]
        }
        return columns
    }

    private static let updateColumns = [
        "id", "expected_version", "expected_file_id", "state", "version", "reserved_cents", "failure_code", "failure_message",
        "updated_at", "file_id", "batch_number", "trace_number", "file_line", "entry_effective_date", "counterparty_name",
        "routing_number", "account_number", "account_type",
    ]

    private static func updateValues(_ update: LedgerPlan.PaymentUpdate) -> Values {
        let p = update.payment
        return [p.id, update.expectedVersion, update.expectedFileID, p.state.rawValue, p.version, p.reservedAmount, p.failure?.code,
                p.failure?.message, SQLiteStore.milliseconds(p.updatedAt), p.submission?.fileID, p.submission?.batchNumber,
                p.submission?.traceNumber, p.submission?.line, p.submission?.entryEffectiveDate?.description, p.counterparty.name,
                p.counterparty.routingNumber, p.counterparty.accountNumber, p.counterparty.accountType.rawValue]
    }

    /// Updates grouped by the parts they change. A few rows are written one statement each; many go
    /// to a keyed temporary table that one UPDATE joins on.
    private static func update(_ updates: [LedgerPlan.PaymentUpdate], _ db: Database) throws {
        let groups = Dictionary(grouping: updates, by: \.parts.rawValue)
        for rawParts in groups.keys.sorted() {
            guard let group = groups[rawParts] else { continue }
            let columns = assignments(LedgerPlan.PaymentUpdate.Parts(rawValue: rawParts))
            var updated = 0
            if group.count <= 16 {
                let statement = try db.cachedStatement(sql: """
                    UPDATE payments SET \(columns.map { "\($0) = ?" }.joined(separator: ", "))
                    WHERE id = ? AND version = ? AND file_id IS ?
                    """)
                let positions = (columns + ["id", "expected_version", "expected_file_id"]).compactMap(updateColumns.firstIndex(of:))
                for update in group {
                    let values = updateValues(update)
                    try statement.execute(arguments: arguments(positions.map { values[$0] }))
                    updated += db.changesCount
                }
            } else {
                try db.execute(sql: """
                    CREATE TEMP TABLE IF NOT EXISTS payment_updates (\(updateColumns.enumerated().map { index, name in
                        index == 0 ? "\(name) PRIMARY KEY" : name
                    }.joined(separator: ", ")))
                    """)
                try db.execute(sql: "DELETE FROM temp.payment_updates")
                try insertRows(db, into: "temp.payment_updates (\(updateColumns.joined(separator: ", ")))",
                               columns: updateColumns.count, rows: group.map(updateValues))
                try db.execute(sql: """
                    UPDATE payments SET \(columns.map { "\($0) = u.\($0)" }.joined(separator: ", "))
                    FROM temp.payment_updates AS u
                    WHERE payments.id = u.id AND payments.version = u.expected_version AND payments.file_id IS u.expected_file_id
                    """)
                updated = db.changesCount
                try db.execute(sql: "DELETE FROM temp.payment_updates")
            }
            guard updated == group.count else {
                throw PaymentError(.conflict, "\(group.count - updated) of \(group.count) payments changed since they were read")
            }
        }
    }

    // MARK: Funds

    /// One balance update per merchant, and a ledger row per move with the balance after it.
    private static func moveFunds(_ moves: [FundsMove], _ db: Database) throws {
        guard !moves.isEmpty else { return }
        var merchants: [String] = []
        var totals: [String: Int64] = [:]
        for move in moves {
            if totals[move.merchantID] == nil { merchants.append(move.merchantID) }
            totals[move.merchantID, default: 0] += move.amount
        }
        var running: [String: Int64] = [:]
        for merchant in merchants {
            let total = totals[merchant] ?? 0
            guard let balance = try Int64.fetchOne(db.cachedStatement(sql: """
                UPDATE merchants SET balance_cents = balance_cents + ?1 WHERE id = ?2 AND balance_cents + ?1 >= 0
                RETURNING balance_cents
                """), arguments: [total, merchant]) else {
                guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM merchants WHERE id = ?"), arguments: [merchant]) == true else {
                    throw PaymentError(.merchantNotFound, "no merchant \(merchant)")
                }
                // The plan's funds check was decided on a balance that has moved since.
                throw PaymentError(.conflict, "the balance of merchant \(merchant) changed since it was read")
            }
            running[merchant] = balance - total
        }
        let now = SQLiteStore.milliseconds(Date())
        try insertRows(db, into: """
            funding_ledger (merchant_id, payment_id, kind, amount_cents, balance_after_cents, actor, reference, created_at)
            """, columns: 8, rows: moves.map { move in
                let after = (running[move.merchantID] ?? 0) + move.amount
                running[move.merchantID] = after
                return [move.merchantID, move.paymentID, move.kind.rawValue, move.amount, after, move.actor.rawValue, move.reference, now]
            })
    }

    // MARK: Statements

    /// Multi-row INSERTs, as many rows per statement as SQLite's parameter limit allows. Small
    /// statements (a group commit's) are prepared once and cached.
    private static func insertRows(_ db: Database, into target: String, columns: Int, rows: [Values]) throws {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        let size = 30_000 / columns
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + size)]
            var values: Values = []
            values.reserveCapacity(chunk.count * columns)
            for row in chunk { values.append(contentsOf: row) }
            let sql = "INSERT INTO \(target) VALUES " + Array(repeating: row, count: chunk.count).joined(separator: ", ")
            let statement = chunk.count <= 64 ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            try statement.execute(arguments: arguments(values))
            start += size
        }
    }
}

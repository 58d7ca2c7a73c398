import Foundation
import GRDB
import GRDBSQLite
import Payments

/// The one write path of the ledger: persists a `LedgerPlan` inside the caller's transaction, with
/// a few multi-row statements whatever its size (a 100,000-entry bank file is not 500,000
/// statements). It decides nothing. A payment row no longer at the version (and binding) the plan
/// expects, or a balance the plan would take below zero, refuses the whole plan.
enum LedgerPlanWriter {
    /// One row of bound values, converted from concrete types up front: an array of existentials
    /// costs a box, a copy and a conversion per value, which shows at 100,000 rows.
    typealias Values = [DatabaseValue]

    /// Persists `plan`. Staged under a pending import (`importID`), its new payments carry the import's
    /// id, its funds moves wait in `staged_funds` and its deliveries are held until the import is published.
    static func persist(_ plan: LedgerPlan, _ db: Database, faults: FaultInjector, stagedIn importID: String? = nil) throws {
        if !plan.newPayments.isEmpty {
            try insertRows(db, into: "payments (\(SQLiteStore.insertedPaymentColumns))", columns: 26,
                           rows: plan.newPayments.map { SQLiteStore.insertValues($0.payment, importID: importID) })
            try faults.hit(.afterPaymentInsert)
        }
        if !plan.updates.isEmpty {
            try update(plan.updates, db)
            if plan.updates.contains(where: { $0.parts.contains(.lifecycle) }) { try faults.hit(.afterStateUpdate) }
        }
        for transition in plan.fileTransitions { try apply(transition, db, faults: faults) }
        if let importID { try stageFunds(plan.funds, importID: importID, db) } else { try moveFunds(plan.funds, db) }
        try insertHistory(plan.history, into: "payment_history", requestColumn: "payment_id", db)
        try insertRows(db, into: "idempotency_keys (merchant_id, key, fingerprint, payment_id, created_at, response_body)",
                       columns: 6, rows: plan.newPayments.map { new in
                           [new.payment.merchantID.databaseValue, new.payment.idempotencyKey.databaseValue,
                            new.fingerprint.databaseValue, new.payment.id.databaseValue,
                            SQLiteStore.milliseconds(new.payment.createdAt).databaseValue,
                            new.response.map { String(decoding: $0, as: UTF8.self) }.databaseValue]
                       })
        try insertRows(db, into: """
            counterparty_corrections (merchant_id, payment_id, inbound_file_id, change_code, routing_number, account_number,
                                      corrected_routing_number, corrected_account_number, corrected_account_type, corrected_name,
                                      created_at)
            """, columns: 11, rows: plan.corrections.map { recorded in
                let c = recorded.correction
                return [c.merchantID, c.paymentID, recorded.inboundFileID, c.changeCode, c.routingNumber, c.accountNumber,
                        c.correctedRoutingNumber, c.correctedAccountNumber, c.correctedAccountType.rawValue, c.correctedName]
                    .map(\.databaseValue) + [SQLiteStore.milliseconds(recorded.createdAt).databaseValue]
            })
        try insertRows(db, into: "settled_batches (file_id, batch_number, inbound_file_id, amount_cents)", columns: 4,
                       rows: plan.settledBatches.map {
                           [$0.fileID.databaseValue, $0.batchNumber.databaseValue, $0.inboundFileID.databaseValue, $0.amount.databaseValue]
                       })
        try insertEvents(plan.events, heldUntilPublished: importID != nil, db)
        try insertRows(db, into: "approvals (\(Approval.columnList), change_set)", columns: 9, rows: plan.approvals.map { approval in
            [approval.id, approval.subject.rawValue, approval.subjectID].map(\.databaseValue)
                + [approval.ordinal.databaseValue, approval.operatorName.databaseValue, approval.decision.rawValue.databaseValue,
                   approval.sha256.databaseValue, approval.reason.databaseValue, SQLiteStore.milliseconds(approval.at).databaseValue]
        }, changeSet: try AuditChangeSet.value(db, for: "approvals"))
    }

    /// The outbox events of a plan (payments' or checks') and a pending delivery per endpoint each
    /// fans out to, due now or, for a staged import, once it is published.
    static func insertEvents(_ events: [OutboxEvent], heldUntilPublished held: Bool = false, _ db: Database) throws {
        guard !events.isEmpty else { return }
        try insertRows(db, into: "webhook_events (id, merchant_id, subject_id, subject_version, type, created_at)", columns: 6,
                       rows: events.map {
                           [$0.id.databaseValue, $0.merchantID.databaseValue, $0.subjectID.databaseValue, $0.subjectVersion.databaseValue,
                            $0.type.rawValue.databaseValue, SQLiteStore.milliseconds($0.createdAt).databaseValue]
                       })
        let pending = WebhookDeliveryStatus.Status.pending.rawValue.databaseValue
        try insertRows(db, into: """
            webhook_deliveries (event_id, endpoint_id, subject_id, subject_version, status, next_attempt_at, created_at)
            """, columns: 7, rows: events.flatMap { event in
                let at = SQLiteStore.milliseconds(event.createdAt).databaseValue
                return event.endpointIDs.map { endpoint -> Values in
                    [event.id.databaseValue, endpoint.databaseValue, event.subjectID.databaseValue, event.subjectVersion.databaseValue,
                     pending, held ? heldUntilPublished.databaseValue : at, at]
                }
            })
    }

    // MARK: Payment rows

    /// A file-wide step in three statements: the rows moved on (checked by count), then their
    /// history rows, read back from the rows themselves (new version, line in the file).
    private static func apply(_ transition: LedgerPlan.FileTransition, _ db: Database, faults: FaultInjector) throws {
        let at = SQLiteStore.milliseconds(transition.at)
        try db.execute(sql: """
            UPDATE payments SET state = ?, version = version + 1, updated_at = ? WHERE file_id = ? AND state = ?
            """, arguments: [transition.to.rawValue, at, transition.fileID, transition.from.rawValue])
        guard db.changesCount == transition.count else {
            throw StoreError(.conflict, "\(transition.count - db.changesCount) payments of file \(transition.fileID) changed since they were read")
        }
        try faults.hit(.afterStateUpdate)
        try db.execute(sql: """
            INSERT INTO payment_history (payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                                         source_line, created_at, change_set)
            SELECT id, version, ?, ?, ?, ?, ?, ?, file_line, ?, ? FROM payments WHERE file_id = ?
            """, arguments: [transition.from.rawValue, transition.to.rawValue, transition.actor.rawValue, transition.reasonCode,
                             transition.reasonText, transition.source.file, at, try AuditChangeSet.value(db, for: "payment_history"), transition.fileID])
    }

    /// The columns each part of an update writes, with each one's value.
    private static func assignments(_ parts: LedgerPlan.PaymentUpdate.Parts) -> [(column: String, value: (Payment) -> DatabaseValue)] {
        var columns: [(column: String, value: (Payment) -> DatabaseValue)] = []
        if parts.contains(.lifecycle) {
            columns += [
                ("state", { $0.state.rawValue.databaseValue }), ("version", { $0.version.databaseValue }),
                ("reserved_cents", { $0.reservedAmount.databaseValue }), ("failure_code", { $0.failure?.code.databaseValue ?? .null }),
                ("failure_message", { $0.failure?.message.databaseValue ?? .null }),
                ("updated_at", { SQLiteStore.milliseconds($0.updatedAt).databaseValue }),
            ]
        }
        if parts.contains(.submission) {
            columns += [
                ("file_id", { $0.submission?.fileID.databaseValue ?? .null }),
                ("batch_number", { $0.submission?.batchNumber.databaseValue ?? .null }),
                ("trace_number", { $0.submission?.traceNumber.databaseValue ?? .null }),
                ("file_line", { $0.submission?.line.databaseValue ?? .null }),
                ("entry_effective_date", { $0.submission?.entryEffectiveDate?.description.databaseValue ?? .null }),
            ]
        }
        if parts.contains(.counterparty) {
            columns += [
                ("counterparty_name", { $0.counterparty.name.databaseValue }),
                ("routing_number", { $0.counterparty.routingNumber.databaseValue }),
                ("account_number", { $0.counterparty.accountNumber.databaseValue }),
                ("account_type", { $0.counterparty.accountType.rawValue.databaseValue }),
            ]
        }
        if parts.contains(.settlement) { columns.append(("settlement", { $0.settlement.rawValue.databaseValue })) }
        if parts.contains(.approval) { columns.append(("approvals_given", { ($0.approval?.given ?? 0).databaseValue })) }
        return columns
    }

    /// Updates grouped by the parts they change. A few rows are written one statement each; many go
    /// to a keyed temporary table holding just the columns they change, which one UPDATE joins on.
    private static func update(_ updates: [LedgerPlan.PaymentUpdate], _ db: Database) throws {
        let groups = Dictionary(grouping: updates, by: \.parts.rawValue)
        for rawParts in groups.keys.sorted() {
            guard let group = groups[rawParts] else { continue }
            let columns = assignments(LedgerPlan.PaymentUpdate.Parts(rawValue: rawParts))
            func values(_ update: LedgerPlan.PaymentUpdate) -> Values {
                [update.payment.id.databaseValue, update.expectedVersion.databaseValue, update.expectedFileID.databaseValue]
                    + columns.map { $0.value(update.payment) }
            }
            var updated = 0
            if group.count <= 16 {
                let statement = try db.cachedStatement(sql: """
                    UPDATE payments SET \(columns.enumerated().map { "\($1.column) = ?\($0 + 4)" }.joined(separator: ", "))
                    WHERE id = ?1 AND version = ?2 AND file_id IS ?3
                    """)
                for update in group {
                    try statement.execute(arguments: StatementArguments(values(update)))
                    updated += db.changesCount
                }
            } else {
                let table = "temp.payment_updates_\(rawParts)"
                let names = ["id", "expected_version", "expected_file_id"] + columns.map(\.column)
                // Created once per connection: any DDL, even one that finds its table there, empties
                // GRDB's statement cache, and every chunk of a file would prepare its statements again.
                if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM temp.sqlite_master WHERE name = ?"),
                                     arguments: ["payment_updates_\(rawParts)"]) != true {
                    try db.execute(sql: "CREATE TEMP TABLE payment_updates_\(rawParts) (id PRIMARY KEY, \(names.dropFirst().joined(separator: ", ")))")
                }
                try db.execute(sql: "DELETE FROM \(table)")
                try insertRows(db, into: "\(table) (\(names.joined(separator: ", ")))", columns: names.count, rows: group.map(values))
                // The IN drives the join from the staged rows through the payments' primary key; without
                // it SQLite scans every payment per plan, which made a file applied in chunks pay for
                // the whole table once per chunk.
                try db.execute(sql: """
                    UPDATE payments SET \(columns.map { "\($0.column) = u.\($0.column)" }.joined(separator: ", "))
                    FROM \(table) AS u
                    WHERE payments.id IN (SELECT id FROM \(table)) AND payments.id = u.id
                      AND payments.version = u.expected_version AND payments.file_id IS u.expected_file_id
                    """)
                updated = db.changesCount
                try db.execute(sql: "DELETE FROM \(table)")
            }
            guard updated == group.count else {
                throw StoreError(.conflict, "\(group.count - updated) of \(group.count) payments changed since they were read")
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
                throw StoreError(.conflict, "the balance of merchant \(merchant) changed since it was read")
            }
            running[merchant] = balance - total
        }
        let now = SQLiteStore.milliseconds(Date()).databaseValue
        try insertRows(db, into: """
            funding_ledger (merchant_id, payment_id, kind, amount_cents, balance_after_cents, actor, reference, created_at, change_set)
            """, columns: 8, rows: moves.map { move in
                let after = (running[move.merchantID] ?? 0) + move.amount
                running[move.merchantID] = after
                return [move.merchantID.databaseValue, move.paymentID.databaseValue, move.kind.rawValue.databaseValue,
                        move.amount.databaseValue, after.databaseValue, move.actor.rawValue.databaseValue,
                        move.reference.databaseValue, now]
            }, changeSet: try AuditChangeSet.value(db, for: "funding_ledger"))
    }

    /// The due time of a staged import's deliveries: never, until publishing makes them due.
    static let heldUntilPublished = Int64.max

    /// A staged import's funds moves, kept apart until it is published (`SQLiteStore.publishImport`).
    private static func stageFunds(_ moves: [FundsMove], importID: String, _ db: Database) throws {
        let now = SQLiteStore.milliseconds(Date()).databaseValue
        try insertRows(db, into: "staged_funds (import_id, merchant_id, payment_id, kind, amount_cents, actor, reference, created_at)",
                       columns: 8, rows: moves.map { move in
                           [importID.databaseValue, move.merchantID.databaseValue, move.paymentID.databaseValue,
                            move.kind.rawValue.databaseValue, move.amount.databaseValue, move.actor.rawValue.databaseValue,
                            move.reference.databaseValue, now]
                       })
    }

    // MARK: Statements

    /// Multi-row INSERTs, as many rows per statement as SQLite's parameter limit allows, and the rest
    /// in statements of power-of-two sizes down to a small exact tail (a group commit's few rows).
    /// Each size is prepared once per connection and reused: preparing a statement of thousands of
    /// rows costs more than running it, and a file applied in chunks would otherwise prepare its
    /// odd-sized tails once per chunk.
    /// History rows (payments' or checks'), the request named in `requestColumn`.
    static func insertHistory(_ history: [HistoryEntry], into table: String, requestColumn: String, _ db: Database) throws {
        try insertRows(db, into: """
            \(table) (\(requestColumn), version, from_state, to_state, actor, reason_code, reason_text, source_file, source_line, created_at,
                      change_set)
            """, columns: 10, rows: history.map { entry in
                [entry.requestID.databaseValue, entry.version.databaseValue, entry.fromState?.rawValue.databaseValue ?? .null,
                 entry.toState.rawValue.databaseValue, entry.actor.rawValue.databaseValue, entry.reasonCode.databaseValue,
                 entry.reasonText.databaseValue, entry.source?.file.databaseValue ?? .null, entry.source?.line.databaseValue ?? .null,
                 SQLiteStore.milliseconds(entry.createdAt).databaseValue]
            }, changeSet: try AuditChangeSet.value(db, for: table))
    }


    /// `changeSet`, when given, is one more value bound in every row: a covered table's `change_set`.
    static func insertRows(_ db: Database, into target: String, columns: Int, rows: [Values], changeSet: DatabaseValue? = nil) throws {
        let columns = columns + (changeSet == nil ? 0 : 1)
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        let full = 30_000 / columns
        var start = 0
        while start < rows.count {
            let remaining = rows.count - start
            let count = remaining >= full ? full : remaining <= 64 ? remaining : 1 << (Int.bitWidth - 1 - remaining.leadingZeroBitCount)
            let sql = "INSERT INTO \(target) VALUES " + Array(repeating: row, count: count).joined(separator: ", ")
            try execute(db.cachedStatement(sql: sql), binding: rows[start..<start + count], then: changeSet, db)
            start += count
        }
    }

    /// Binds `rows` in order into `statement`'s parameters and runs it. GRDB's `StatementArguments`
    /// would build, map and copy the values once more (about half the time of a 100,000-row plan);
    /// binding directly skips only GRDB's execution bookkeeping, which serves transaction observers,
    /// and the store registers none. `last`, when given, is bound after each row's values.
    private static func execute(_ statement: Statement, binding rows: ArraySlice<Values>, then last: DatabaseValue?, _ db: Database) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        var index: CInt = 1
        for row in rows {
            for value in row {
                let code = value.bind(to: handle, at: index)
                guard code == SQLITE_OK else { throw error(code, statement, db) }
                index += 1
            }
            if let last {
                let code = last.bind(to: handle, at: index)
                guard code == SQLITE_OK else { throw error(code, statement, db) }
                index += 1
            }
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw error(sqlite3_extended_errcode(db.sqliteConnection), statement, db) }
    }

    private static func error(_ code: CInt, _ statement: Statement, _ db: Database) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
}

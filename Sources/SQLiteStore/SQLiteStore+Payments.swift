import Foundation
import GRDB
import NACHA
import Payments

extension SQLiteStore {
    /// Reads, plans and writes in the one IMMEDIATE transaction: no other writer moves a balance or
    /// takes a key in between, so on SQLite the plan never meets a conflict.
    public func takeIn<Outcome: Sendable>(_ intakes: [PaymentIntake], stagedIn importID: String?,
                                          plan: @escaping @Sendable (IntakeReads, [String: [WebhookEndpoint]]) throws -> (LedgerPlan, Outcome))
        async throws -> Outcome {
        let faults = self.faults
        let changeSet = self.changeSet
        // A staged chunk appends no entry: the import's publishing covers every row it staged.
        return try await write(importID == nil ? "taking in payments" : "staging an import", changeSet: importID,
                               appendsAudit: importID == nil) { db in
            if let importID { try Self.requirePending(importID, db) }
            let (planned, outcome) = try plan(try Self.intakeReads(intakes, db, stagedIn: importID),
                                              try Self.enabledEndpoints(db, merchants: intakes.map(\.merchantID)))
            try LedgerPlanWriter.persist(planned, db, faults: faults, stagedIn: importID)
            changeSet.describe(planned.auditRecord)
            return outcome
        }
    }

    public func enabledEndpoints(merchants: Set<String>) async throws -> [String: [WebhookEndpoint]] {
        try quickRead("reading webhook endpoints") { db in try Self.enabledEndpoints(db, merchants: merchants) }
    }

    /// What intake needs for `intakes`, one cached query each: the key's earlier payment, else the
    /// merchant's balance and the account's latest correction. A key held by a pending import other
    /// than `importID` is a conflict; the balance under an import is net of what it staged.
    private static func intakeReads(_ intakes: [PaymentIntake], _ db: Database, stagedIn importID: String?) throws -> IntakeReads {
        var reads = IntakeReads()
        for intake in intakes {
            if let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT k.fingerprint, k.payment_id, k.response_body, p.import_id FROM idempotency_keys AS k
                JOIN payments AS p ON p.id = k.payment_id WHERE k.merchant_id = ? AND k.key = ?
                """), arguments: [intake.merchantID, intake.idempotencyKey]) {
                let holder: String? = row["import_id"]
                if let holder, holder != importID {
                    throw StoreError(.conflict, "idempotency key \(intake.idempotencyKey) is held by an import in progress")
                }
                let body: String? = row["response_body"]
                reads.record(ExistingIntake(fingerprint: row["fingerprint"], payment: try payment(db, id: row["payment_id"], stagedIn: importID),
                                            response: body.map { Data($0.utf8) }))
                continue
            }
            if reads.balances[intake.merchantID] == nil, let balance = try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT balance_cents + COALESCE((SELECT SUM(amount_cents) FROM staged_funds WHERE import_id = ?2 AND merchant_id = ?1), 0)
                FROM merchants WHERE id = ?1
                """), arguments: [intake.merchantID, importID]) {
                reads.balances[intake.merchantID] = balance
            }
            let account = intake.request.counterparty
            if let correction = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(CounterpartyCorrection.columnList) FROM counterparty_corrections
                WHERE merchant_id = ? AND routing_number = ? AND account_number = ? ORDER BY id DESC LIMIT 1
                """), arguments: [intake.merchantID, account.routingNumber, account.accountNumber]).map(CounterpartyCorrection.init(_:)) {
                reads.record(correction)
            }
        }
        return reads
    }

    public func persist(_ plan: LedgerPlan) async throws {
        let faults = self.faults
        try await write("writing a ledger plan", audit: plan.auditRecord) { db in try LedgerPlanWriter.persist(plan, db, faults: faults) }
    }

    /// The enabled webhook endpoints of these merchants, which the plan's events fan out to.
    static func enabledEndpoints(_ db: Database, merchants: some Sequence<String>) throws -> [String: [WebhookEndpoint]] {
        // Merchants in one plan are few: one prepared, cached query each.
        let statement = try db.cachedStatement(sql: "SELECT \(WebhookEndpoint.columnList) FROM webhook_endpoints WHERE merchant_id = ? AND enabled = 1 ORDER BY id")
        var found: [String: [WebhookEndpoint]] = [:]
        for merchant in Set(merchants) {
            let endpoints = try Row.fetchAll(statement, arguments: [merchant]).map(WebhookEndpoint.init(_:))
            if !endpoints.isEmpty { found[merchant] = endpoints }
        }
        return found
    }

    /// The columns a new payment row is written with, in the order of `insertValues`.
    static let insertedPaymentColumns = """
        id, merchant_id, state, version, amount_cents, currency, direction, sec_code, description, effective_date, \
        counterparty_name, routing_number, account_number, account_type, metadata, idempotency_key, reserved_cents, \
        failure_code, failure_message, created_at, updated_at, import_id, settlement, profile, approvals_required, approvals_given
        """

    static func insertValues(_ payment: Payment, importID: String?) -> LedgerPlanWriter.Values {
        let texts = [payment.id, payment.merchantID, payment.state.rawValue].map(\.databaseValue)
            + [payment.version.databaseValue, payment.amount.databaseValue]
        let request = [payment.currency, payment.direction.rawValue, payment.secCode.rawValue, payment.description,
                       payment.effectiveDate.description, payment.counterparty.name, payment.counterparty.routingNumber,
                       payment.counterparty.accountNumber, payment.counterparty.accountType.rawValue, payment.metadataJSON,
                       payment.idempotencyKey].map(\.databaseValue)
        return texts + request + [payment.reservedAmount.databaseValue, payment.failure?.code.databaseValue ?? .null,
                                  payment.failure?.message.databaseValue ?? .null, milliseconds(payment.createdAt).databaseValue,
                                  milliseconds(payment.updatedAt).databaseValue, importID.databaseValue,
                                  payment.settlement.rawValue.databaseValue, payment.profile.databaseValue,
                                  (payment.approval?.required ?? 0).databaseValue, (payment.approval?.given ?? 0).databaseValue]
    }

    // MARK: Reads

    public func payment(id: String) async throws -> Payment {
        try quickRead("reading a payment") { db in try Self.payment(db, id: id) }
    }

    public func history(paymentID: String) async throws -> [HistoryEntry] {
        try quickRead("reading payment history") { db in
            _ = try Self.payment(db, id: paymentID)
            return try Row.fetchAll(db, sql: "SELECT \(HistoryEntry.columnList) FROM payment_history WHERE payment_id = ? ORDER BY version",
                                    arguments: [paymentID]).map(HistoryEntry.init(_:))
        }
    }

    public func history(paymentIDs: [String]) async throws -> [HistoryEntry] {
        try await read("reading payment histories") { db in
            try Row.fetchAll(db, sql: """
                SELECT \(HistoryEntry.columnList) FROM payment_history WHERE payment_id IN (SELECT value FROM json_each(?))
                ORDER BY payment_id, version
                """, arguments: [try Self.jsonList(paymentIDs)]).map(HistoryEntry.init(_:))
        }
    }

    public func payments(_ query: PaymentQuery) async throws -> [Payment] {
        try await read("listing payments") { db in
            var filter = SQLiteFilter()
            filter.add("merchant_id = ?", query.merchantID)
            filter.add("state = ?", query.state?.rawValue)
            filter.add("amount_cents >= ?", query.minimumAmount)
            filter.add("amount_cents <= ?", query.maximumAmount)
            filter.add("trace_number = ?", query.traceNumber)
            filter.add("file_id = ?", query.fileID)
            filter.add(query.window)
            filter.add("import_id IS NULL")
            let order = filter.orderAndLimit(query.window)
            return try Row.fetchAll(db, sql: "SELECT \(Payment.columnList) FROM payments \(filter.whereClause) \(order)",
                                    arguments: filter.arguments).map(Payment.init(_:))
        }
    }

    public func countsByState() async throws -> [PaymentState: Int] {
        try await read("counting payments") { db in
            // All rows by the state index, less the staged ones by their partial index: both stay
            // index-only where a filter on import_id would read every row.
            var counts: [PaymentState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM payments GROUP BY state") {
                counts[try StoredColumn.decode(row[0], as: PaymentState.self, table: "payments", column: "state")] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM payments WHERE import_id IS NOT NULL GROUP BY state") {
                counts[try StoredColumn.decode(row[0], as: PaymentState.self, table: "payments", column: "state"), default: 0] -= row[1]
            }
            return counts.filter { $0.value > 0 }
        }
    }

    public func purgeIdempotencyKeys(finalBefore cutoff: Date) async throws -> Int {
        // Final states are the domain's to name; the query only filters on them.
        let terminal = PaymentState.allCases.filter(\.isTerminal)
        return try await write("purging idempotency keys") { db in
            try db.execute(sql: """
                DELETE FROM idempotency_keys WHERE payment_id IN (
                    SELECT id FROM payments WHERE state IN (\(terminal.map { _ in "?" }.joined(separator: ", "))) AND updated_at < ?
                    AND import_id IS NULL)
                """, arguments: StatementArguments(terminal.map(\.rawValue)) + [Self.milliseconds(cutoff)])
            return db.changesCount
        }
    }

    public func schemaVersion() async throws -> Int {
        try await read("reading the schema version") { db in try Schema.migrator.appliedIdentifiers(db).count }
    }

    public func checkReachable() async throws {
        let faults = self.faults
        try quickRead("checking the database") { db in
            try faults.hit(.databaseCheck)
            _ = try Int.fetchOne(db, sql: "SELECT 1")
        }
    }

    /// A published payment, or one staged under `importID`; a payment of another pending import is
    /// not found.
    static func payment(_ db: Database, id: String, stagedIn importID: String? = nil) throws -> Payment {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(Payment.columnList) FROM payments WHERE id = ?1 AND (import_id IS NULL OR import_id = ?2)
            """), arguments: [id, importID]) else {
            throw PaymentError(.notFound, "no payment \(id)")
        }
        return try Payment(row)
    }

}

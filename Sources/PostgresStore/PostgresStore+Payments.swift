import Foundation
import NACHA
import Payments
import PostgresNIO

extension PostgresStore {
    /// Reads, plans and writes in one transaction; a key or a balance another instance took first
    /// since the read makes the write a conflict, and the caller plans again.
    public func takeIn<Outcome: Sendable>(_ intakes: [PaymentIntake], stagedIn importID: String?,
                                          plan: @escaping @Sendable (IntakeReads, [String: [WebhookEndpoint]]) throws -> (LedgerPlan, Outcome))
        async throws -> Outcome {
        let faults = self.faults
        // A staged chunk appends no entry: the import's publishing covers every row it staged.
        let changeSet = importID ?? Identifier.make(prefix: "chg")
        return try await transaction(importID == nil ? "taking in payments" : "staging an import", changeSet: changeSet,
                                     appendsAudit: false) { session in
            if let importID { try await Self.requirePending(importID, session) }
            let (planned, outcome) = try plan(try await Self.intakeReads(intakes, session, stagedIn: importID),
                                              try await Self.enabledEndpoints(session, merchants: intakes.map(\.merchantID)))
            try await PostgresPlanWriter.persist(planned, session, faults: faults, stagedIn: importID)
            if importID == nil { try await PostgresAuditLog.append(planned.auditRecord, changeSet: changeSet, session, at: Date()) }
            return outcome
        }
    }

    public func enabledEndpoints(merchants: Set<String>) async throws -> [String: [WebhookEndpoint]] {
        try await read("reading webhook endpoints") { session in try await Self.enabledEndpoints(session, merchants: merchants) }
    }

    /// Reads `IntakeReads` for `intakes` in three queries whatever their number: the keys' earlier
    /// payments, the merchants' balances and the accounts' latest corrections. A key held by a
    /// pending import other than `importID` is a conflict; the balance under an import is net of
    /// what it staged.
    static func intakeReads(_ intakes: [PaymentIntake], _ session: Session, stagedIn importID: String?) async throws -> IntakeReads {
        var reads = IntakeReads()
        guard !intakes.isEmpty else { return reads }
        for row in try await session.rows("""
            SELECT k.fingerprint, k.response_body, p.import_id, \(unescaped: Payment.columnList(qualifiedBy: "p"))
            FROM unnest(\(intakes.map(\.merchantID)), \(intakes.map(\.idempotencyKey))) AS q(merchant_id, key)
            JOIN idempotency_keys AS k ON k.merchant_id = q.merchant_id AND k.key = q.key
            JOIN payments AS p ON p.id = k.payment_id
            """) {
            var cells = Cells(row)
            let fingerprint: String = try cells.next(), body: String? = try cells.next(), holder: String? = try cells.next()
            let payment = try Payment(stored: &cells)
            if let holder, holder != importID {
                throw StoreError(.conflict, "idempotency key \(payment.idempotencyKey) is held by an import in progress")
            }
            reads.record(ExistingIntake(fingerprint: fingerprint, payment: payment, response: body.map { Data($0.utf8) }))
        }
        let merchants = Array(Set(intakes.map(\.merchantID)))
        for row in try await session.rows("""
            SELECT m.id, m.balance_cents + COALESCE((SELECT SUM(s.amount_cents) FROM staged_funds AS s
                                                     WHERE s.import_id = \(importID) AND s.merchant_id = m.id), 0)::bigint
            FROM merchants AS m WHERE m.id = ANY(\(merchants))
            """) {
            let (merchant, balance) = try row.decode((String, Int64).self)
            reads.balances[merchant] = balance
        }
        let accounts = intakes.map(\.request.counterparty)
        for row in try await session.rows("""
            SELECT DISTINCT ON (c.merchant_id, c.routing_number, c.account_number) \(unescaped: CounterpartyCorrection.columnList(qualifiedBy: "c"))
            FROM unnest(\(intakes.map(\.merchantID)), \(accounts.map(\.routingNumber)), \(accounts.map(\.accountNumber)))
                AS q(merchant_id, routing_number, account_number)
            JOIN counterparty_corrections AS c
              ON c.merchant_id = q.merchant_id AND c.routing_number = q.routing_number AND c.account_number = q.account_number
            ORDER BY c.merchant_id, c.routing_number, c.account_number, c.id DESC
            """) {
            reads.record(try CounterpartyCorrection(row))
        }
        return reads
    }

    public func persist(_ plan: LedgerPlan) async throws {
        let faults = self.faults
        try await transaction("writing a ledger plan", audit: plan.auditRecord) { session in try await PostgresPlanWriter.persist(plan, session, faults: faults) }
    }

    /// The enabled webhook endpoints of these merchants, which the plan's events fan out to.
    static func enabledEndpoints(_ session: Session, merchants: some Sequence<String>) async throws -> [String: [WebhookEndpoint]] {
        let ids = Array(Set(merchants))
        guard !ids.isEmpty else { return [:] }
        let rows = try await session.rows("""
            SELECT \(unescaped: WebhookEndpoint.columnList) FROM webhook_endpoints WHERE merchant_id = ANY(\(ids)) AND enabled ORDER BY id
            """)
        return Dictionary(grouping: try rows.map(WebhookEndpoint.init(_:)), by: \.merchantID)
    }

    // MARK: Reads

    public func payment(id: String) async throws -> Payment {
        try await read("reading a payment") { session in try await Self.payment(session, id: id) }
    }

    public func history(paymentID: String) async throws -> [HistoryEntry] {
        try await read("reading payment history") { session in
            _ = try await Self.payment(session, id: paymentID)
            return try await session.rows("""
                SELECT \(unescaped: HistoryEntry.columnList) FROM payment_history WHERE payment_id = \(paymentID) ORDER BY version
                """).map { row in
                var cells = Cells(row)
                return try HistoryEntry(stored: &cells)
            }
        }
    }

    public func history(paymentIDs: [String]) async throws -> [HistoryEntry] {
        try await read("reading payment histories") { session in
            try await session.rows("""
                SELECT \(unescaped: HistoryEntry.columnList) FROM payment_history WHERE payment_id = ANY(\(paymentIDs))
                ORDER BY payment_id, version
                """).map { row in
                var cells = Cells(row)
                return try HistoryEntry(stored: &cells)
            }
        }
    }

    public func payments(_ query: PaymentQuery) async throws -> [Payment] {
        let window = query.window
        return try await read("listing payments") { session in
            try await session.rows("""
                SELECT \(unescaped: Payment.columnList) FROM payments
                WHERE import_id IS NULL AND (\(query.merchantID)::text IS NULL OR merchant_id = \(query.merchantID))
                  AND (\(query.state?.rawValue)::text IS NULL OR state = \(query.state?.rawValue))
                  AND (\(query.minimumAmount)::bigint IS NULL OR amount_cents >= \(query.minimumAmount))
                  AND (\(query.maximumAmount)::bigint IS NULL OR amount_cents <= \(query.maximumAmount))
                  AND (\(query.traceNumber)::bigint IS NULL OR trace_number = \(query.traceNumber))
                  AND (\(query.fileID)::text IS NULL OR file_id = \(query.fileID))
                  AND (\(window.sinceMilliseconds)::bigint IS NULL OR created_at >= \(window.sinceMilliseconds))
                  AND (\(window.untilMilliseconds)::bigint IS NULL OR created_at < \(window.untilMilliseconds))
                  AND (\(window.afterID)::text IS NULL OR id \(unescaped: window.cursorComparison) \(window.afterID))
                ORDER BY id \(unescaped: window.order) LIMIT \(window.limit)
                """).map(Payment.init(_:))
        }
    }

    public func countsByState() async throws -> [PaymentState: Int] {
        try await read("counting payments") { session in
            var counts: [PaymentState: Int] = [:]
            for row in try await session.rows("SELECT state, count(*) FROM payments WHERE import_id IS NULL GROUP BY state") {
                let (state, count) = try row.decode((String, Int).self)
                counts[try StoredColumn.decode(state, as: PaymentState.self, table: "payments", column: "state")] = count
            }
            return counts
        }
    }

    public func purgeIdempotencyKeys(finalBefore cutoff: Date) async throws -> Int {
        // Final states are the domain's to name; the query only filters on them.
        let terminal = PaymentState.allCases.filter(\.isTerminal).map(\.rawValue)
        return try await transaction("purging idempotency keys") { session in
            try await session.count("""
                DELETE FROM idempotency_keys WHERE payment_id IN (
                    SELECT id FROM payments WHERE state = ANY(\(terminal)) AND updated_at < \(Self.milliseconds(cutoff))
                    AND import_id IS NULL)
                """)
        }
    }

    public func schemaVersion() async throws -> Int {
        try await read("reading the schema version") { session in
            try await session.value("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", as: Int.self) ?? 0
        }
    }

    public func checkReachable() async throws {
        let faults = self.faults
        try await read("checking the database") { session in
            try faults.hit(.databaseCheck)
            _ = try await session.value("SELECT 1", as: Int32.self)
        }
    }

    /// A published payment, or one staged under `importID`; a payment of another pending import is
    /// not found.
    static func payment(_ session: Session, id: String, stagedIn importID: String? = nil) async throws -> Payment {
        guard let row = try await session.rows("""
            SELECT \(unescaped: Payment.columnList) FROM payments WHERE id = \(id) AND (import_id IS NULL OR import_id = \(importID))
            """).first else {
            throw PaymentError(.notFound, "no payment \(id)")
        }
        return try Payment(row)
    }

    /// A column list with each column read from the table aliased `alias`.
}

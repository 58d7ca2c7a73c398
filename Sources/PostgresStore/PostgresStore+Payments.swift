import Foundation
import NACHA
import Payments
import PostgresNIO

extension PostgresStore {
    public func intake(_ intakes: [PaymentIntake]) async throws -> [IntakeOutcome] {
        let faults = self.faults
        return try await transaction("taking in payments") { session in try await Self.takeIn(intakes, session, faults: faults) }
    }

    /// Intake, all or nothing, under `lockIntakes`. Under a pending import (`importID`) the payments
    /// are staged instead.
    static func takeIn(_ intakes: [PaymentIntake], _ session: Session, faults: FaultInjector,
                       stagedIn importID: String? = nil) async throws -> [IntakeOutcome] {
        try await lockIntakes(intakes, session)
        var planner = LedgerPlanner(endpoints: try await enabledEndpoints(session, merchants: intakes.map(\.merchantID)))
        let reads = try await intakeReads(intakes, session, stagedIn: importID)
        var outcomes: [IntakeOutcome] = []
        for intake in intakes { outcomes.append(try planner.takeIn(intake, as: reads.read(intake, planner))) }
        try await PostgresPlanWriter.persist(planner.plan, session, faults: faults, stagedIn: importID)
        return outcomes
    }

    public func intakeEach(_ intakes: [PaymentIntake]) async throws -> [Result<IntakeOutcome, PaymentError>] {
        let faults = self.faults
        return try await transaction("taking in payments") { session in
            try await Self.lockIntakes(intakes, session)
            var planner = LedgerPlanner(endpoints: try await Self.enabledEndpoints(session, merchants: intakes.map(\.merchantID)))
            let reads = try await Self.intakeReads(intakes, session, stagedIn: nil)
            var outcomes: [Result<IntakeOutcome, PaymentError>] = []
            for intake in intakes {
                let read = reads.read(intake, planner)
                // A refused intake leaves the plan as it was: the others go ahead.
                do throws(PaymentError) {
                    outcomes.append(.success(try planner.takeIn(intake, as: read)))
                } catch {
                    outcomes.append(.failure(error))
                }
            }
            try await PostgresPlanWriter.persist(planner.plan, session, faults: faults)
            return outcomes
        }
    }

    /// Locks what intakes' plans depend on, for the rest of the transaction, in the one order every
    /// writer follows. First the idempotency keys, by transaction-scoped advisory locks: a second
    /// request with a key waits for the first to commit, then finds its payment. Keys are locked by
    /// their hash's bucket (`keyLockBuckets` of them, in bucket order), so a 100,000-row import takes
    /// a bounded number of locks; two keys in one bucket only wait for each other. Then the merchants
    /// whose balance a credit's funds check reads, by row locks in id order, so no other writer moves
    /// the balance before this commits. Debits reserve nothing, so they leave the merchant unlocked:
    /// one merchant's debits from several API servers are taken in side by side.
    static func lockIntakes(_ intakes: [PaymentIntake], _ session: Session) async throws {
        let keys = Array(Set(intakes.map { "\($0.merchantID) \($0.idempotencyKey)" }))
        try await session.count("""
            SELECT pg_advisory_xact_lock(\(keyLockNamespace), b)
            FROM (SELECT DISTINCT hashtext(k) & \(keyLockBuckets - 1) AS b FROM unnest(\(keys)) AS k ORDER BY b) AS sorted
            """)
        _ = try await lockMerchants(intakes.filter { $0.request.direction == .credit }.map(\.merchantID), session)
    }

    /// The advisory lock space of idempotency keys ("metl"), apart from the migration lock's.
    static let keyLockNamespace: Int32 = 0x6D65_746C
    /// A power of two: few enough that a transaction's locks fit PostgreSQL's lock table.
    static let keyLockBuckets: Int32 = 256

    /// What the planner needs to take in a set of requests, read in three queries whatever their
    /// number: the keys' earlier payments, the merchants' balances and the accounts' latest
    /// corrections. Reading them up front is what reading each before planning it would give: the
    /// keys and the balances a credit depends on are locked (`lockIntakes`), and nothing this plan
    /// writes is read back.
    struct IntakeReads {
        var existing: [String: ExistingIntake] = [:]
        var balances: [String: Int64] = [:]
        var corrections: [String: CounterpartyCorrection] = [:]

        static func key(_ merchantID: String, _ second: String, _ third: String = "") -> String { "\(merchantID)\u{1F}\(second)\u{1F}\(third)" }

        /// The read for `intake`, given what the planner already knows.
        func read(_ intake: PaymentIntake, _ planner: LedgerPlanner) -> IntakeRead {
            if let existing = existing[Self.key(intake.merchantID, intake.idempotencyKey)] {
                return IntakeRead(existing: existing, balance: nil, correction: nil)
            }
            let account = intake.request.counterparty
            return IntakeRead(existing: nil, balance: planner.balance(of: intake.merchantID) != nil ? nil : balances[intake.merchantID],
                              correction: corrections[Self.key(intake.merchantID, account.routingNumber, account.accountNumber)])
        }
    }

    /// Reads `IntakeReads` for `intakes`. A key held by a pending import other than `importID` is a
    /// conflict; the balance under an import is net of what it staged.
    static func intakeReads(_ intakes: [PaymentIntake], _ session: Session, stagedIn importID: String?) async throws -> IntakeReads {
        var reads = IntakeReads()
        guard !intakes.isEmpty else { return reads }
        for row in try await session.rows("""
            SELECT k.fingerprint, k.response_body, p.import_id, \(unescaped: prefixedPaymentColumns)
            FROM unnest(\(intakes.map(\.merchantID)), \(intakes.map(\.idempotencyKey))) AS q(merchant_id, key)
            JOIN idempotency_keys AS k ON k.merchant_id = q.merchant_id AND k.key = q.key
            JOIN payments AS p ON p.id = k.payment_id
            """) {
            var cells = Cells(row)
            let fingerprint: String = try cells.next(), body: String? = try cells.next(), holder: String? = try cells.next()
            let payment = try payment(from: &cells)
            if let holder, holder != importID {
                throw StoreError(.conflict, "idempotency key \(payment.idempotencyKey) is held by an import in progress")
            }
            reads.existing[IntakeReads.key(payment.merchantID, payment.idempotencyKey)] =
                ExistingIntake(fingerprint: fingerprint, payment: payment, response: body.map { Data($0.utf8) })
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
            SELECT DISTINCT ON (c.merchant_id, c.routing_number, c.account_number) \(unescaped: prefixedCorrectionColumns)
            FROM unnest(\(intakes.map(\.merchantID)), \(accounts.map(\.routingNumber)), \(accounts.map(\.accountNumber)))
                AS q(merchant_id, routing_number, account_number)
            JOIN counterparty_corrections AS c
              ON c.merchant_id = q.merchant_id AND c.routing_number = q.routing_number AND c.account_number = q.account_number
            ORDER BY c.merchant_id, c.routing_number, c.account_number, c.id DESC
            """) {
            let correction = try counterpartyCorrection(from: row)
            reads.corrections[IntakeReads.key(correction.merchantID, correction.routingNumber, correction.accountNumber)] = correction
        }
        return reads
    }

    public func transition(paymentID: String, steps: [TransitionStep]) async throws -> Payment {
        let faults = self.faults
        return try await transaction("changing a payment's state") { session in
            let payment = try await Self.payment(session, id: paymentID, locking: true)
            var planner = LedgerPlanner(endpoints: try await Self.enabledEndpoints(session, merchants: [payment.merchantID]))
            let changed = try planner.apply(steps, to: payment)
            try await PostgresPlanWriter.persist(planner.plan, session, faults: faults)
            return changed
        }
    }

    public func persist(_ plan: LedgerPlan) async throws {
        let faults = self.faults
        try await transaction("writing a ledger plan") { session in try await PostgresPlanWriter.persist(plan, session, faults: faults) }
    }

    /// The enabled webhook endpoints of these merchants, which the plan's events fan out to.
    static func enabledEndpoints(_ session: Session, merchants: some Sequence<String>) async throws -> [String: [WebhookEndpoint]] {
        let ids = Array(Set(merchants))
        guard !ids.isEmpty else { return [:] }
        let rows = try await session.rows("""
            SELECT \(unescaped: endpointColumns) FROM webhook_endpoints WHERE merchant_id = ANY(\(ids)) AND enabled ORDER BY id
            """)
        return Dictionary(grouping: try rows.map(webhookEndpoint(from:)), by: \.merchantID)
    }

    // MARK: Reads

    public func payment(id: String) async throws -> Payment {
        try await read("reading a payment") { session in try await Self.payment(session, id: id) }
    }

    public func history(paymentID: String) async throws -> [HistoryEntry] {
        try await read("reading payment history") { session in
            _ = try await Self.payment(session, id: paymentID)
            return try await session.rows("""
                SELECT \(unescaped: Self.historyColumns) FROM payment_history WHERE payment_id = \(paymentID) ORDER BY version
                """).map { row in
                var cells = Cells(row)
                return try Self.historyEntry(from: &cells)
            }
        }
    }

    public func payments(_ query: PaymentQuery) async throws -> [Payment] {
        try await read("listing payments") { session in
            try await session.rows("""
                SELECT \(unescaped: Self.paymentColumns) FROM payments
                WHERE import_id IS NULL AND (\(query.merchantID)::text IS NULL OR merchant_id = \(query.merchantID))
                  AND (\(query.state?.rawValue)::text IS NULL OR state = \(query.state?.rawValue))
                  AND (\(query.afterID)::text IS NULL OR id > \(query.afterID))
                  AND (\(query.createdAfter.map(Self.milliseconds))::bigint IS NULL OR created_at > \(query.createdAfter.map(Self.milliseconds)))
                ORDER BY id LIMIT \(query.limit)
                """).map(Self.payment(from:))
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
    /// not found. `locking` holds the row until the transaction ends.
    static func payment(_ session: Session, id: String, stagedIn importID: String? = nil, locking: Bool = false) async throws -> Payment {
        guard let row = try await session.rows("""
            SELECT \(unescaped: paymentColumns) FROM payments WHERE id = \(id) AND (import_id IS NULL OR import_id = \(importID))
            \(unescaped: locking ? "FOR UPDATE" : "")
            """).first else {
            throw PaymentError(.notFound, "no payment \(id)")
        }
        return try payment(from: row)
    }

    /// The payment columns in the order `payment(from:)` reads them.
    static let paymentColumns = """
        id, merchant_id, state, version, amount_cents, currency, direction, sec_code, description, effective_date, \
        counterparty_name, routing_number, account_number, account_type, metadata, idempotency_key, reserved_cents, \
        failure_code, failure_message, created_at, updated_at, file_id, batch_number, trace_number, file_line, entry_effective_date, \
        settlement, profile
        """

    /// `paymentColumns` read from the table aliased `p`.
    static let prefixedPaymentColumns = qualified(paymentColumns, by: "p")

    /// A column list with each column read from the table aliased `alias`.
    static func qualified(_ columns: String, by alias: String) -> String {
        columns.split(separator: ",").map { "\(alias)." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
    }

    static func payment(from row: PostgresRow) throws -> Payment {
        var cells = Cells(row)
        return try payment(from: &cells)
    }

    /// A payment from the next `paymentColumns` cells.
    static func payment(from cells: inout Cells) throws -> Payment {
        let id: String = try cells.next(), merchantID: String = try cells.next(), state: String = try cells.next()
        let version: Int = try cells.next(), amount: Int64 = try cells.next()
        let currency: String = try cells.next(), direction: String = try cells.next(), secCode: String = try cells.next()
        let description: String = try cells.next(), effectiveDate: String = try cells.next()
        let name: String = try cells.next(), routing: String = try cells.next(), account: String = try cells.next()
        let accountType: String = try cells.next(), metadataText: String = try cells.next(), key: String = try cells.next()
        let reserved: Int64 = try cells.next(), failureCode: String? = try cells.next(), failureMessage: String? = try cells.next()
        let createdAt: Int64 = try cells.next(), updatedAt: Int64 = try cells.next()
        let fileID: String? = try cells.next(), batch: Int? = try cells.next(), trace: Int? = try cells.next()
        let line: Int? = try cells.next(), entryDate: String? = try cells.next()
        let settlement: String = try cells.next(), profile: String? = try cells.next()
        guard let metadata = CanonicalJSON.parseObject(metadataText)
                ?? (try? JSONDecoder().decode([String: String].self, from: Data(metadataText.utf8))) else {
            throw StoredColumn.undecodable("payments", "metadata", metadataText)
        }
        return Payment(
            id: id, merchantID: merchantID, state: try StoredColumn.decode(state, table: "payments", column: "state"), version: version,
            amount: amount, currency: currency, direction: try StoredColumn.decode(direction, table: "payments", column: "direction"),
            secCode: StandardEntryClass(rawValue: secCode), description: description,
            effectiveDate: try StoredColumn.day(effectiveDate, table: "payments", column: "effective_date"),
            counterparty: Counterparty(name: name, routingNumber: routing, accountNumber: account,
                                       accountType: try StoredColumn.decode(accountType, table: "payments", column: "account_type")),
            metadata: metadata, idempotencyKey: key, reservedAmount: reserved,
            failure: failureCode.map { Failure(code: $0, message: failureMessage ?? "") },
            createdAt: date(createdAt), updatedAt: date(updatedAt),
            submission: try fileID.map { file throws(StoreError) in
                Submission(fileID: file, batchNumber: batch ?? 0, traceNumber: trace ?? 0, line: line ?? 0,
                           entryEffectiveDate: try StoredColumn.day(ifPresent: entryDate, table: "payments", column: "entry_effective_date"))
            },
            settlement: try StoredColumn.decode(settlement, table: "payments", column: "settlement"), profile: profile)
    }

    static let correctionColumns = """
        merchant_id, payment_id, change_code, routing_number, account_number, corrected_routing_number, \
        corrected_account_number, corrected_account_type, corrected_name
        """

    static let prefixedCorrectionColumns = qualified(correctionColumns, by: "c")

    static func counterpartyCorrection(from row: PostgresRow) throws -> CounterpartyCorrection {
        let (merchant, payment, code, routing, account, correctedRouting, correctedAccount, correctedType, correctedName) =
            try row.decode((String, String, String, String, String, String, String, String, String).self)
        return CounterpartyCorrection(
            merchantID: merchant, paymentID: payment, changeCode: code, routingNumber: routing, accountNumber: account,
            correctedRoutingNumber: correctedRouting, correctedAccountNumber: correctedAccount,
            correctedAccountType: try StoredColumn.decode(correctedType, table: "counterparty_corrections", column: "corrected_account_type"),
            correctedName: correctedName)
    }

    static let historyColumns = """
        payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file, source_line, created_at
        """

    /// A history entry from the next `historyColumns` cells.
    static func historyEntry(from cells: inout Cells) throws -> HistoryEntry {
        let requestID: String = try cells.next(), version: Int = try cells.next(), from: String? = try cells.next()
        let to: String = try cells.next(), actor: String = try cells.next(), code: String = try cells.next()
        let text: String = try cells.next(), file: String? = try cells.next(), line: Int? = try cells.next()
        let createdAt: Int64 = try cells.next()
        return HistoryEntry(
            requestID: requestID, version: version, fromState: try StoredColumn.decode(ifPresent: from, table: "history", column: "from_state"),
            toState: try StoredColumn.decode(to, table: "history", column: "to_state"), actor: Actor(rawValue: actor), reasonCode: code,
            reasonText: text, source: try StoredColumn.source(file: file, line: line, table: "history"), createdAt: date(createdAt))
    }
}

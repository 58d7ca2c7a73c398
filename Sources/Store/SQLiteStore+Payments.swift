import Foundation
import GRDB
import NACHA
import Payments

extension SQLiteStore {
    public func intake(_ intakes: [PaymentIntake]) async throws(PaymentError) -> [IntakeOutcome] {
        let faults = self.faults
        return try await write("taking in payments") { db in
            // Balances read once per merchant: inside this IMMEDIATE transaction no other writer can
            // change them, so the running figure is exact (and the CHECK constraint is the backstop).
            var balances: [String: Int64] = [:]
            return try intakes.map { try Self.intake($0, db, balances: &balances, faults: faults) }
        }
    }

    public func intakeEach(_ intakes: [PaymentIntake]) async throws(PaymentError) -> [Result<IntakeOutcome, PaymentError>] {
        let faults = self.faults
        return try await write("taking in payments") { db in
            var balances: [String: Int64] = [:]
            return try intakes.map { intake in
                // A savepoint per intake: one refused request rolls back its own rows only.
                let before = balances
                var outcome: Result<IntakeOutcome, PaymentError> = .failure(PaymentError(.storage, "not taken in"))
                do {
                    try db.inSavepoint {
                        outcome = .success(try Self.intake(intake, db, balances: &balances, faults: faults))
                        return .commit
                    }
                } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL || error.resultCode == .SQLITE_IOERR {
                    throw error
                } catch {
                    balances = before
                    outcome = .failure(Self.storageError(error, while: "taking in a payment"))
                }
                return outcome
            }
        }
    }

    private static func intake(_ intake: PaymentIntake, _ db: Database, balances: inout [String: Int64],
                               faults: FaultInjector) throws -> IntakeOutcome {
        let request = intake.request
        if let existing = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT fingerprint, payment_id, response_body FROM idempotency_keys WHERE merchant_id = ? AND key = ?
            """), arguments: [intake.merchantID, intake.idempotencyKey]) {
            guard existing["fingerprint"] == request.fingerprint else {
                throw PaymentError(.idempotencyKeyReused,
                                   "idempotency key \(intake.idempotencyKey) was already used with a different request")
            }
            let body: String? = existing["response_body"]
            return IntakeOutcome(payment: try payment(db, id: existing["payment_id"]), created: false,
                                 firstResponse: body.map { Data($0.utf8) })
        }
        let balance: Int64
        if let known = balances[intake.merchantID] {
            balance = known
        } else if let stored = try Int64.fetchOne(db.cachedStatement(sql: "SELECT balance_cents FROM merchants WHERE id = ?"),
                                                  arguments: [intake.merchantID]) {
            balance = stored
        } else {
            throw PaymentError(.merchantNotFound, "no merchant \(intake.merchantID)")
        }
        let now = Date()
        let id = Identifier.make(prefix: "pay", at: now)
        let source = intake.source ?? SourceReference(file: "idempotency:\(intake.idempotencyKey)")
        let decision = IntakeDecision.decide(direction: request.direction, amount: request.amount, availableBalance: balance)
        let validation: HistoryEntry
        var payment = Payment(
            id: id, merchantID: intake.merchantID, state: .created, version: 1,
            amount: request.amount, currency: request.currency, direction: request.direction, secCode: request.secCode,
            description: request.description, effectiveDate: request.effectiveDate, counterparty: request.counterparty,
            metadata: request.metadata, idempotencyKey: intake.idempotencyKey, reservedAmount: 0, failure: nil,
            createdAt: now, updatedAt: now)
        // A notification of change for this account corrects every later payment to it.
        if let correction = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT change_code, corrected_routing_number, corrected_account_number, corrected_account_type, corrected_name
            FROM counterparty_corrections WHERE merchant_id = ? AND routing_number = ? AND account_number = ? ORDER BY id DESC LIMIT 1
            """), arguments: [intake.merchantID, request.counterparty.routingNumber, request.counterparty.accountNumber]) {
            let code: String = correction["change_code"]
            payment.counterparty = Counterparty(
                name: code == "C04" ? correction["corrected_name"] : payment.counterparty.name,
                routingNumber: correction["corrected_routing_number"], accountNumber: correction["corrected_account_number"],
                accountType: AccountType(rawValue: correction["corrected_account_type"]) ?? payment.counterparty.accountType)
        }
        switch decision {
        case .validated(let reserve):
            payment.reservedAmount = reserve
            validation = HistoryEntry(paymentID: id, version: 2, fromState: .created, toState: .validated, actor: intake.actor,
                                      reasonCode: IntakeDecision.validatedReason.code,
                                      reasonText: IntakeDecision.validatedReason.text, source: source, createdAt: now)
        case .failed(let failure):
            payment.failure = failure
            validation = HistoryEntry(paymentID: id, version: 2, fromState: .created, toState: .failed, actor: intake.actor,
                                      reasonCode: failure.code, reasonText: failure.message, source: source, createdAt: now)
        }
        try PaymentStateMachine.check(paymentID: id, from: .created, to: validation.toState)
        // The payment is stored in its validated state directly; both steps are in its history.
        payment.state = validation.toState
        payment.version = 2
        try insert(payment, db)
        try faults.hit(.afterPaymentInsert)
        try appendHistory(db, HistoryEntry(
            paymentID: id, version: 1, fromState: nil, toState: .created, actor: intake.actor,
            reasonCode: IntakeDecision.createdReason.code, reasonText: IntakeDecision.createdReason.text,
            source: source, createdAt: now))
        try appendHistory(db, validation)
        if payment.reservedAmount > 0 {
            balances[intake.merchantID] = try moveFunds(db, merchantID: intake.merchantID, paymentID: id, kind: "reserve",
                                                        amount: -payment.reservedAmount, actor: intake.actor, reference: id)
        } else {
            balances[intake.merchantID] = balance
        }
        let response = intake.keepsResponse ? PaymentDocument.encode(payment) : nil
        try db.cachedStatement(sql: """
            INSERT INTO idempotency_keys (merchant_id, key, fingerprint, payment_id, created_at, response_body) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [intake.merchantID, intake.idempotencyKey, request.fingerprint, id, milliseconds(now),
                                     response.map { String(decoding: $0, as: UTF8.self) }])
        return IntakeOutcome(payment: payment, created: true, firstResponse: response)
    }

    public func transition(paymentID: String, steps: [TransitionStep]) async throws(PaymentError) -> Payment {
        let faults = self.faults
        return try await write("changing a payment's state") { db in
            var payment = try Self.payment(db, id: paymentID)
            try Self.apply(steps, to: &payment, db, faults: faults)
            return payment
        }
    }

    /// One checked state change: the state, version and failure update, funds released on failure,
    /// and the history row, all inside the caller's transaction.
    static func apply(_ step: TransitionStep, to payment: inout Payment, _ db: Database, faults: FaultInjector) throws {
        try apply([step], to: &payment, db, faults: faults)
    }

    /// Several checked steps (an implied acknowledgement, then the return) written as one update of
    /// the payment row and one history row per step.
    static func apply(_ steps: [TransitionStep], to payment: inout Payment, _ db: Database, faults: FaultInjector) throws {
        var change = try ChangeSet.Change(payment, steps: steps, at: Date())
        for move in change.funds {
            try moveFunds(db, merchantID: move.merchantID, paymentID: move.paymentID, kind: move.kind, amount: move.amount,
                          actor: move.actor, reference: move.reference)
        }
        try db.cachedStatement(sql: """
            UPDATE payments SET state = ?, version = ?, reserved_cents = ?, failure_code = ?, failure_message = ?, updated_at = ?
            WHERE id = ? AND version = ?
            """).execute(arguments: [change.payment.state.rawValue, change.payment.version, change.payment.reservedAmount,
                                     change.payment.failure?.code, change.payment.failure?.message,
                                     milliseconds(change.payment.updatedAt), change.payment.id, change.originalVersion])
        guard db.changesCount == 1 else {
            throw PaymentError(.storage, "payment \(payment.id) changed concurrently")
        }
        try faults.hit(.afterStateUpdate)
        for entry in change.history { try appendHistory(db, entry) }
        change.funds = []
        payment = change.payment
    }

    static func appendHistory(_ db: Database, _ entry: HistoryEntry) throws {
        try db.cachedStatement(sql: """
            INSERT INTO payment_history (payment_id, version, from_state, to_state, actor, reason_code, reason_text,
                                         source_file, source_line, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [entry.paymentID, entry.version, entry.fromState?.rawValue, entry.toState.rawValue,
                                     entry.actor.rawValue, entry.reasonCode, entry.reasonText, entry.source?.file,
                                     entry.source?.line, milliseconds(entry.createdAt)])
    }

    private static func insert(_ payment: Payment, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO payments (id, merchant_id, state, version, amount_cents, currency, direction, sec_code, description,
                                  effective_date, counterparty_name, routing_number, account_number, account_type, metadata,
                                  idempotency_key, reserved_cents, failure_code, failure_message, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                payment.id, payment.merchantID, payment.state.rawValue, payment.version, payment.amount, payment.currency,
                payment.direction.rawValue, payment.secCode.rawValue, payment.description, payment.effectiveDate.description,
                payment.counterparty.name, payment.counterparty.routingNumber, payment.counterparty.accountNumber,
                payment.counterparty.accountType.rawValue, payment.metadataJSON, payment.idempotencyKey, payment.reservedAmount,
                payment.failure?.code, payment.failure?.message, milliseconds(payment.createdAt), milliseconds(payment.updatedAt),
            ])
    }

    // MARK: Reads

    public func payment(id: String) async throws(PaymentError) -> Payment {
        try quickRead("reading a payment") { db in try Self.payment(db, id: id) }
    }

    public func history(paymentID: String) async throws(PaymentError) -> [HistoryEntry] {
        try quickRead("reading payment history") { db in
            _ = try Self.payment(db, id: paymentID)
            return try Row.fetchAll(db, sql: "SELECT * FROM payment_history WHERE payment_id = ? ORDER BY version",
                                    arguments: [paymentID]).map(Self.historyEntry(from:))
        }
    }

    public func payments(_ query: PaymentQuery) async throws(PaymentError) -> [Payment] {
        try await read("listing payments") { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let merchant = query.merchantID {
                conditions.append("merchant_id = ?")
                arguments += [merchant]
            }
            if let state = query.state {
                conditions.append("state = ?")
                arguments += [state.rawValue]
            }
            if let after = query.afterID {
                conditions.append("id > ?")
                arguments += [after]
            }
            if let createdAfter = query.createdAfter {
                conditions.append("created_at > ?")
                arguments += [Self.milliseconds(createdAfter)]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [query.limit]
            return try Row.fetchAll(db, sql: "SELECT \(SQLiteStore.paymentColumns) FROM payments \(filter) ORDER BY id LIMIT ?", arguments: arguments)
                .map(Self.payment(from:))
        }
    }

    public func countsByState() async throws(PaymentError) -> [PaymentState: Int] {
        try await read("counting payments") { db in
            var counts: [PaymentState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM payments GROUP BY state") {
                if let state = PaymentState(rawValue: row[0]) { counts[state] = row[1] }
            }
            return counts
        }
    }

    public func purgeIdempotencyKeys(finalBefore cutoff: Date) async throws(PaymentError) -> Int {
        try await write("purging idempotency keys") { db in
            try db.execute(sql: """
                DELETE FROM idempotency_keys WHERE payment_id IN (
                    SELECT id FROM payments WHERE state IN ('P_COMPLETED', 'P_FAILED') AND updated_at < ?)
                """, arguments: [Self.milliseconds(cutoff)])
            return db.changesCount
        }
    }

    public func checkReachable() async throws(PaymentError) {
        let faults = self.faults
        try quickRead("checking the database") { db in
            try faults.hit(.databaseCheck)
            _ = try Int.fetchOne(db, sql: "SELECT 1")
        }
    }

    static func payment(_ db: Database, id: String) throws -> Payment {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(SQLiteStore.paymentColumns) FROM payments WHERE id = ?"), arguments: [id]) else {
            throw PaymentError(.notFound, "no payment \(id)")
        }
        return payment(from: row)
    }

    /// The payment columns in the order `payment(from:)` reads them by position: a name lookup per
    /// column per row is measurable when a bank file touches 100,000 payments.
    static let paymentColumns = """
        id, merchant_id, state, version, amount_cents, currency, direction, sec_code, description, effective_date, \
        counterparty_name, routing_number, account_number, account_type, metadata, idempotency_key, reserved_cents, \
        failure_code, failure_message, created_at, updated_at, file_id, batch_number, trace_number, file_line, entry_effective_date
        """

    /// A row selected with `paymentColumns`.
    static func payment(from row: Row) -> Payment {
        let metadataText: String = row[14]
        let metadata = CanonicalJSON.parseObject(metadataText)
            ?? (try? JSONDecoder().decode([String: String].self, from: Data(metadataText.utf8))) ?? [:]
        let failureCode: String? = row[17]
        return Payment(
            id: row[0], merchantID: row[1],
            state: PaymentState(rawValue: row[2]) ?? .failed, version: row[3], amount: row[4],
            currency: row[5], direction: Direction(rawValue: row[6]) ?? .credit,
            secCode: StandardEntryClass(rawValue: row[7]), description: row[8],
            effectiveDate: ACHDate(iso: row[9] as String) ?? ACHDate(year: 1970, month: 1, day: 1),
            counterparty: Counterparty(name: row[10], routingNumber: row[11], accountNumber: row[12],
                                       accountType: AccountType(rawValue: row[13]) ?? .checking),
            metadata: metadata, idempotencyKey: row[15], reservedAmount: row[16],
            failure: failureCode.map { Failure(code: $0, message: row[18] ?? "") },
            createdAt: date(row[19]), updatedAt: date(row[20]),
            submission: (row[21] as String?).map { Submission(fileID: $0, batchNumber: row[22], traceNumber: row[23]) })
    }

    static func historyEntry(from row: Row) -> HistoryEntry {
        let file: String? = row["source_file"]
        return HistoryEntry(
            paymentID: row["payment_id"], version: row["version"],
            fromState: (row["from_state"] as String?).flatMap(PaymentState.init(rawValue:)),
            toState: PaymentState(rawValue: row["to_state"]) ?? .failed, actor: Actor(rawValue: row["actor"]),
            reasonCode: row["reason_code"], reasonText: row["reason_text"],
            source: file.map { SourceReference(file: $0, line: row["source_line"]) }, createdAt: date(row["created_at"]))
    }
}

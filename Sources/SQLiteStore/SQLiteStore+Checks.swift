import Foundation
import GRDB
import Payments

extension SQLiteStore: CheckStore {
    public func addCheckAccount(_ account: CheckAccount) async throws -> CheckAccount {
        try await write("enrolling a check account") { db in
            if try Bool.fetchOne(db, sql: """
                SELECT 1 FROM check_accounts WHERE merchant_id = ? AND routing_number = ? AND account_number = ?
                """, arguments: [account.merchantID, account.routingNumber, account.accountNumber]) == true {
                throw PaymentError(.duplicateAccount, "account \(account.maskedAccountNumber) is already enrolled for this merchant")
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM merchants WHERE id = ?", arguments: [account.merchantID]) == true else {
                throw PaymentError(.merchantNotFound, "no merchant \(account.merchantID)")
            }
            let enrolled = try Row.fetchAll(db, sql: "SELECT \(CheckAccount.columnList) FROM check_accounts WHERE routing_number = ? AND disabled_at IS NULL",
                                            arguments: [account.routingNumber]).map(CheckAccount.init(_:))
            if let conflict = account.enrolmentConflict(with: enrolled) { throw conflict }
            try db.execute(sql: """
                INSERT INTO check_accounts (id, merchant_id, routing_number, account_number, layout, payee_match, created_at, disabled_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [account.id, account.merchantID, account.routingNumber, account.accountNumber, account.layout.rawValue,
                                 account.payeeMatch ? 1 : 0, Self.milliseconds(account.createdAt),
                                 account.disabledAt.map(Self.milliseconds)])
            return account
        }
    }

    public func disableCheckAccount(id: String, at now: Date) async throws -> CheckAccount {
        try await write("disabling a check account") { db in
            guard let account = try Self.checkAccount(db, id: id) else { throw PaymentError(.notFound, "no check account \(id)") }
            let disabled = try account.disabled(at: now)
            try db.execute(sql: "UPDATE check_accounts SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL",
                           arguments: [disabled.disabledAt.map(Self.milliseconds), id])
            return disabled
        }
    }

    public func checkAccount(id: String) async throws -> CheckAccount {
        try await read("reading a check account") { db in
            guard let account = try Self.checkAccount(db, id: id) else { throw PaymentError(.notFound, "no check account \(id)") }
            return account
        }
    }

    public func checkAccounts(merchantID: String?) async throws -> [CheckAccount] {
        try await read("listing check accounts") { db in
            try Row.fetchAll(db, sql: "SELECT \(CheckAccount.columnList) FROM check_accounts WHERE ?1 IS NULL OR merchant_id = ?1 ORDER BY id",
                             arguments: [merchantID]).map(CheckAccount.init(_:))
        }
    }

    public func checkIntakeReads(_ intakes: [CheckIntake]) async throws -> [CheckIntake.Read] {
        try await read("reading what check intake needs") { db in try Self.checkIntakeReads(intakes, db) }
    }

    private static func checkIntakeReads(_ intakes: [CheckIntake], _ db: Database) throws -> [CheckIntake.Read] {
        try intakes.map { intake in
            let existing = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(CheckIssue.columnList), fingerprint, response_body FROM check_issues WHERE merchant_id = ? AND idempotency_key = ?
                """), arguments: [intake.merchantID, intake.idempotencyKey]).map { row in
                var cells = SQLiteRow(row)
                return (try CheckIssue(stored: &cells), try cells.string(), try cells.optionalString().map { Data($0.utf8) })
            }
            let live = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(CheckIssue.columnList) FROM check_issues WHERE account_id = ? AND serial = ? AND state <> 'P_FAILED'
                """), arguments: [intake.check.accountID, intake.check.serial]).map(CheckIssue.init(_:))
            return CheckIntake.Read(existing: existing, account: try Self.checkAccount(db, id: intake.check.accountID), liveSerial: live)
        }
    }

    public func check(id: String) async throws -> CheckIssue {
        try await read("reading a check") { db in try Self.check(db, id: id) }
    }

    public func checks(ids: [String]) async throws -> [String: CheckIssue] {
        try await read("reading checks") { db in
            var found: [String: CheckIssue] = [:]
            let statement = try db.cachedStatement(sql: "SELECT \(CheckIssue.columnList) FROM check_issues WHERE id = ?")
            for id in Set(ids) {
                if let row = try Row.fetchOne(statement, arguments: [id]) { found[id] = try CheckIssue(row) }
            }
            return found
        }
    }

    public func checkHistory(checkID: String) async throws -> [HistoryEntry] {
        try await read("reading a check's history") { db in
            _ = try Self.check(db, id: checkID)
            return try Row.fetchAll(db, sql: """
                SELECT check_id AS payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                       source_line, created_at
                FROM check_history WHERE check_id = ? ORDER BY version
                """, arguments: [checkID]).map(HistoryEntry.init(_:))
        }
    }

    public func checkHistory(checkIDs: [String]) async throws -> [HistoryEntry] {
        try await read("reading check histories") { db in
            try Row.fetchAll(db, sql: """
                SELECT check_id AS payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                       source_line, created_at
                FROM check_history WHERE check_id IN (SELECT value FROM json_each(?)) ORDER BY check_id, version
                """, arguments: [try Self.jsonList(checkIDs)]).map(HistoryEntry.init(_:))
        }
    }

    public func checks(_ query: CheckQuery) async throws -> [CheckIssue] {
        try await read("listing checks") { db in
            var filter = SQLiteFilter()
            filter.add("merchant_id = ?", query.merchantID)
            filter.add("account_id = ?", query.accountID)
            filter.add("state = ?", query.state?.rawValue)
            filter.add("serial = ?", query.serial)
            filter.add("amount_cents >= ?", query.minimumAmount)
            filter.add("amount_cents <= ?", query.maximumAmount)
            if let file = query.fileID {
                filter.add("(issue_file_id = ? OR void_file_id = ?)", binding: [file, file])
            }
            filter.add(query.window)
            let order = filter.orderAndLimit(query.window)
            return try Row.fetchAll(db, sql: "SELECT \(CheckIssue.columnList) FROM check_issues \(filter.whereClause) \(order)",
                                    arguments: filter.arguments).map(CheckIssue.init(_:))
        }
    }

    public func persist(_ plan: CheckPlan) async throws {
        try await write("persisting a check plan", audit: plan.auditRecord) { db in try CheckPlanWriter.persist(plan, db) }
    }

    public func pendingCheckRecords(limit: Int) async throws -> [PendingCheckRecord] {
        try await read("collecting check records") { db in
            var accounts: [String: CheckAccount] = [:]
            func record(_ action: PendingCheckRecord.Action, _ row: Row) throws -> PendingCheckRecord {
                let check = try CheckIssue(row)
                if accounts[check.accountID] == nil { accounts[check.accountID] = try Self.checkAccount(db, id: check.accountID) }
                guard let account = accounts[check.accountID] else { throw PaymentError(.notFound, "no check account \(check.accountID)") }
                return PendingCheckRecord(action: action, check: check, account: account)
            }
            let issues = try Row.fetchAll(db, sql: """
                SELECT \(CheckIssue.columnList) FROM check_issues WHERE state = 'P_VALIDATED' AND issue_file_id IS NULL ORDER BY id LIMIT ?
                """, arguments: [limit]).map { try record(.issue, $0) }
            let voids = try Row.fetchAll(db, sql: """
                SELECT \(CheckIssue.columnList) FROM check_issues
                WHERE void_requested_at IS NOT NULL AND void_file_id IS NULL AND state IN ('P_SUBMITTED_TO_CORE', 'P_PROCESSING')
                ORDER BY id LIMIT ?
                """, arguments: [limit]).map { try record(.void, $0) }
            return issues + voids
        }
    }

    public func recordRenderedFile(_ file: OutboundFile, checks binding: CheckPlan) async throws {
        try await write("recording an issue file", audit: AuditRecord(actor: .cutoff, action: .fileRendered, subjects: [file.id],
                                                                      detail: file.status.rawValue)) { db in
            try Self.insert(file, db)
            try CheckPlanWriter.persist(binding, db)
        }
    }

    public func checkExceptions(merchantID: String?, status: CheckException.Status?) async throws -> [CheckException] {
        try await read("listing exceptions") { db in
            try Row.fetchAll(db, sql: """
                SELECT \(CheckException.columnList) FROM check_exceptions
                WHERE (?1 IS NULL OR merchant_id = ?1) AND (?2 IS NULL OR status = ?2) ORDER BY id
                """, arguments: [merchantID, status?.rawValue]).map(CheckException.init(_:))
        }
    }

    public func checkException(accountID: String, bankReference: String) async throws -> CheckException? {
        try await read("reading an exception") { db in
            try Row.fetchOne(db, sql: "SELECT \(CheckException.columnList) FROM check_exceptions WHERE account_id = ? AND bank_reference = ?",
                             arguments: [accountID, bankReference]).map(CheckException.init(_:))
        }
    }

    public func checkException(id: String) async throws -> CheckException {
        try await read("reading an exception") { db in try Self.exception(db, id: id) }
    }

    public func decisions(exceptionID: String?) async throws -> [ExceptionDecision] {
        try await read("listing decisions") { db in
            try Row.fetchAll(db, sql: "SELECT \(ExceptionDecision.columnList) FROM check_decisions WHERE ?1 IS NULL OR exception_id = ?1 ORDER BY id",
                             arguments: [exceptionID]).map(ExceptionDecision.init(_:))
        }
    }

    public func decisionHistory(decisionID: String) async throws -> [HistoryEntry] {
        try await read("reading a decision's history") { db in
            try Row.fetchAll(db, sql: """
                SELECT decision_id AS payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                       source_line, created_at
                FROM decision_history WHERE decision_id = ? ORDER BY version
                """, arguments: [decisionID]).map(HistoryEntry.init(_:))
        }
    }

    public func pendingDecisions(limit: Int) async throws -> [PendingDecision] {
        try await read("collecting decisions") { db in
            try Row.fetchAll(db, sql: """
                SELECT \(ExceptionDecision.columnList) FROM check_decisions WHERE state = 'P_VALIDATED' AND file_id IS NULL ORDER BY id LIMIT ?
                """, arguments: [limit]).map(ExceptionDecision.init(_:)).map { decision in
                let exception = try Self.exception(db, id: decision.exceptionID)
                guard let account = try Self.checkAccount(db, id: exception.accountID) else {
                    throw PaymentError(.notFound, "no check account \(exception.accountID)")
                }
                return PendingDecision(decision: decision, exception: exception, account: account)
            }
        }
    }

    public func fileDecisions(fileID: String) async throws -> [ExceptionDecision] {
        try await read("reading a file's decisions") { db in try Self.fileDecisions(db, fileID: fileID) }
    }

    static func fileDecisions(_ db: Database, fileID: String) throws -> [ExceptionDecision] {
        try Row.fetchAll(db, sql: "SELECT \(ExceptionDecision.columnList) FROM check_decisions WHERE file_id = ? ORDER BY file_line",
                         arguments: [fileID]).map(ExceptionDecision.init(_:))
    }

    static func exception(_ db: Database, id: String) throws -> CheckException {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(CheckException.columnList) FROM check_exceptions WHERE id = ?", arguments: [id]) else {
            throw PaymentError(.notFound, "no exception \(id)")
        }
        return try CheckException(row)
    }

    public func fileChecks(fileID: String) async throws -> [CheckIssue] {
        try await read("reading a file's checks") { db in
            _ = try Self.outboundFile(db, id: fileID)
            return try Self.fileChecks(db, fileID: fileID)
        }
    }

    // MARK: Rows

    /// The checks with a record in the file, by the line of that record.
    static func fileChecks(_ db: Database, fileID: String) throws -> [CheckIssue] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(CheckIssue.columnList) FROM check_issues WHERE issue_file_id = ?1 OR void_file_id = ?1
            ORDER BY CASE WHEN issue_file_id = ?1 THEN issue_file_line ELSE void_file_line END
            """), arguments: [fileID]).map(CheckIssue.init(_:))
    }

    static func check(_ db: Database, id: String) throws -> CheckIssue {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(CheckIssue.columnList) FROM check_issues WHERE id = ?"),
                                         arguments: [id]) else {
            throw PaymentError(.notFound, "no check \(id)")
        }
        return try CheckIssue(row)
    }

    static func checkAccount(_ db: Database, id: String) throws -> CheckAccount? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(CheckAccount.columnList) FROM check_accounts WHERE id = ?"), arguments: [id]).map(CheckAccount.init(_:))
    }
}

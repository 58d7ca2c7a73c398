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
            let enrolled = try Row.fetchAll(db, sql: "SELECT * FROM check_accounts WHERE routing_number = ? AND disabled_at IS NULL",
                                            arguments: [account.routingNumber]).map(Self.checkAccount(from:))
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
            try Row.fetchAll(db, sql: "SELECT * FROM check_accounts WHERE ?1 IS NULL OR merchant_id = ?1 ORDER BY id",
                             arguments: [merchantID]).map(Self.checkAccount(from:))
        }
    }

    public func issueChecks(_ intakes: [CheckIntake]) async throws -> [CheckIntake.Outcome] {
        try await write("issuing checks") { db in
            var planner = CheckPlanner(endpoints: try Self.enabledEndpoints(db, merchants: intakes.map(\.merchantID)))
            var outcomes: [CheckIntake.Outcome] = []
            for intake in intakes {
                let existing = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT \(Self.checkColumns), fingerprint, response_body FROM check_issues WHERE merchant_id = ? AND idempotency_key = ?
                    """), arguments: [intake.merchantID, intake.idempotencyKey]).map { row in
                    (try Self.check(from: row), row[21] as String, (row[22] as String?).map { Data($0.utf8) })
                }
                let live = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT \(Self.checkColumns) FROM check_issues WHERE account_id = ? AND serial = ? AND state <> 'P_FAILED'
                    """), arguments: [intake.check.accountID, intake.check.serial]).map(Self.check(from:))
                let read = CheckIntake.Read(existing: existing, account: try Self.checkAccount(db, id: intake.check.accountID),
                                            liveSerial: live)
                outcomes.append(try planner.takeIn(intake, as: read))
            }
            try CheckPlanWriter.persist(planner.plan, db)
            return outcomes
        }
    }

    public func check(id: String) async throws -> CheckIssue {
        try await read("reading a check") { db in try Self.check(db, id: id) }
    }

    public func checks(ids: [String]) async throws -> [String: CheckIssue] {
        try await read("reading checks") { db in
            var found: [String: CheckIssue] = [:]
            let statement = try db.cachedStatement(sql: "SELECT \(Self.checkColumns) FROM check_issues WHERE id = ?")
            for id in Set(ids) {
                if let row = try Row.fetchOne(statement, arguments: [id]) { found[id] = try Self.check(from: row) }
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
                """, arguments: [checkID]).map(Self.historyEntry(from:))
        }
    }

    public func checks(_ query: CheckQuery) async throws -> [CheckIssue] {
        try await read("listing checks") { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.checkColumns) FROM check_issues
                WHERE (?1 IS NULL OR merchant_id = ?1) AND (?2 IS NULL OR account_id = ?2) AND (?3 IS NULL OR state = ?3)
                  AND (?4 IS NULL OR id > ?4) AND (?6 IS NULL OR serial = ?6)
                ORDER BY id LIMIT ?5
                """, arguments: [query.merchantID, query.accountID, query.state?.rawValue, query.afterID, query.limit, query.serial])
                .map(Self.check(from:))
        }
    }

    public func persist(_ plan: CheckPlan) async throws {
        try await write("persisting a check plan") { db in try CheckPlanWriter.persist(plan, db) }
    }

    public func voidCheck(id: String, actor: Actor, source: SourceReference?) async throws -> CheckIssue {
        try await write("voiding a check") { db in
            let read = try Self.check(db, id: id)
            var planner = CheckPlanner(endpoints: try Self.enabledEndpoints(db, merchants: [read.merchantID]))
            let check = try planner.void(read, actor: actor, source: source)
            try CheckPlanWriter.persist(planner.plan, db)
            return check
        }
    }

    public func pendingCheckRecords(limit: Int) async throws -> [PendingCheckRecord] {
        try await read("collecting check records") { db in
            var accounts: [String: CheckAccount] = [:]
            func record(_ action: PendingCheckRecord.Action, _ row: Row) throws -> PendingCheckRecord {
                let check = try Self.check(from: row)
                if accounts[check.accountID] == nil { accounts[check.accountID] = try Self.checkAccount(db, id: check.accountID) }
                guard let account = accounts[check.accountID] else { throw PaymentError(.notFound, "no check account \(check.accountID)") }
                return PendingCheckRecord(action: action, check: check, account: account)
            }
            let issues = try Row.fetchAll(db, sql: """
                SELECT \(Self.checkColumns) FROM check_issues WHERE state = 'P_VALIDATED' AND issue_file_id IS NULL ORDER BY id LIMIT ?
                """, arguments: [limit]).map { try record(.issue, $0) }
            let voids = try Row.fetchAll(db, sql: """
                SELECT \(Self.checkColumns) FROM check_issues
                WHERE void_requested_at IS NOT NULL AND void_file_id IS NULL AND state IN ('P_SUBMITTED_TO_CORE', 'P_PROCESSING')
                ORDER BY id LIMIT ?
                """, arguments: [limit]).map { try record(.void, $0) }
            return issues + voids
        }
    }

    public func recordRenderedFile(_ file: OutboundFile, checks binding: CheckPlan) async throws {
        try await write("recording an issue file") { db in
            try Self.insert(file, db)
            try CheckPlanWriter.persist(binding, db)
        }
    }

    public func checkExceptions(merchantID: String?, status: CheckException.Status?) async throws -> [CheckException] {
        try await read("listing exceptions") { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.exceptionColumns) FROM check_exceptions
                WHERE (?1 IS NULL OR merchant_id = ?1) AND (?2 IS NULL OR status = ?2) ORDER BY id
                """, arguments: [merchantID, status?.rawValue]).map(Self.exception(from:))
        }
    }

    public func checkException(accountID: String, bankReference: String) async throws -> CheckException? {
        try await read("reading an exception") { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.exceptionColumns) FROM check_exceptions WHERE account_id = ? AND bank_reference = ?",
                             arguments: [accountID, bankReference]).map(Self.exception(from:))
        }
    }

    public func checkException(id: String) async throws -> CheckException {
        try await read("reading an exception") { db in try Self.exception(db, id: id) }
    }

    public func decideException(id: String, decision: CheckException.Decision, returnReason: String?, actor: Actor,
                                source: SourceReference?, at now: Date) async throws -> ExceptionDecision {
        try await write("deciding an exception") { db in
            let exception = try Self.exception(db, id: id)
            var planner = CheckPlanner(now: now, endpoints: try Self.enabledEndpoints(db, merchants: [exception.merchantID]))
            let made = try planner.decide(exception, decision, returnReason: returnReason, actor: actor, source: source)
            try CheckPlanWriter.persist(planner.plan, db)
            return made
        }
    }

    public func closeLapsedExceptions(at now: Date, actor: Actor) async throws -> [CheckException] {
        try await write("settling lapsed exceptions") { db in
            let due = try Row.fetchAll(db, sql: """
                SELECT \(Self.exceptionColumns) FROM check_exceptions WHERE status <> 'closed' AND deadline <= ? ORDER BY id
                """, arguments: [Self.milliseconds(now)]).map(Self.exception(from:))
            var planner = CheckPlanner(now: now, endpoints: try Self.enabledEndpoints(db, merchants: due.map(\.merchantID)))
            let decision = try db.cachedStatement(sql: "SELECT \(Self.decisionColumns) FROM check_decisions WHERE exception_id = ? ORDER BY id DESC LIMIT 1")
            var settled: [CheckException] = []
            for exception in due {
                if try planner.settle(exception, check: try exception.checkID.map { try Self.check(db, id: $0) },
                                      decision: try Row.fetchOne(decision, arguments: [exception.id]).map(Self.decision(from:)), actor: actor) {
                    settled.append(exception)
                }
            }
            try CheckPlanWriter.persist(planner.plan, db)
            return settled
        }
    }

    public func decisions(exceptionID: String?) async throws -> [ExceptionDecision] {
        try await read("listing decisions") { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.decisionColumns) FROM check_decisions WHERE ?1 IS NULL OR exception_id = ?1 ORDER BY id",
                             arguments: [exceptionID]).map(Self.decision(from:))
        }
    }

    public func decisionHistory(decisionID: String) async throws -> [HistoryEntry] {
        try await read("reading a decision's history") { db in
            try Row.fetchAll(db, sql: """
                SELECT decision_id AS payment_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                       source_line, created_at
                FROM decision_history WHERE decision_id = ? ORDER BY version
                """, arguments: [decisionID]).map(Self.historyEntry(from:))
        }
    }

    public func pendingDecisions(limit: Int) async throws -> [PendingDecision] {
        try await read("collecting decisions") { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.decisionColumns) FROM check_decisions WHERE state = 'P_VALIDATED' AND file_id IS NULL ORDER BY id LIMIT ?
                """, arguments: [limit]).map(Self.decision(from:)).map { decision in
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
        try Row.fetchAll(db, sql: "SELECT \(decisionColumns) FROM check_decisions WHERE file_id = ? ORDER BY file_line",
                         arguments: [fileID]).map(decision(from:))
    }

    static func exception(_ db: Database, id: String) throws -> CheckException {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(exceptionColumns) FROM check_exceptions WHERE id = ?", arguments: [id]) else {
            throw PaymentError(.notFound, "no exception \(id)")
        }
        return try exception(from: row)
    }

    static let decisionColumns = """
        id, exception_id, merchant_id, decision, return_reason, state, version, failure_code, failure_message, file_id, file_line,
        created_at, updated_at
        """

    static func decision(from row: Row) throws -> ExceptionDecision {
        let failureCode: String? = row[7], file: String? = row[9]
        return ExceptionDecision(
            id: row[0], exceptionID: row[1], merchantID: row[2],
            decision: try StoredColumn.decode(row[3], table: "check_decisions", column: "decision"),
            returnReason: row[4], state: try StoredColumn.decode(row[5], table: "check_decisions", column: "state"), version: row[6],
            failure: failureCode.map { Failure(code: $0, message: row[8] ?? "") },
            record: file.map { CheckIssue.Placement(fileID: $0, line: row[10] ?? 0) }, createdAt: date(row[11]), updatedAt: date(row[12]))
    }

    static let exceptionColumns = """
        id, bank_reference, merchant_id, account_id, check_id, serial, presented_cents, issued_cents, presented_payee, reason,
        default_decision, deadline, status, source_file, source_line, created_at
        """

    static func exception(from row: Row) throws -> CheckException {
        let table = "check_exceptions"
        guard let source = try StoredColumn.source(file: row[13], line: row[14], table: table) else {
            throw StoredColumn.undecodable(table, "source_file", "")
        }
        return CheckException(
            id: row[0], bankReference: row[1], merchantID: row[2], accountID: row[3], checkID: row[4], serial: row[5],
            presentedAmount: row[6], issuedAmount: row[7], presentedPayee: row[8],
            reason: try StoredColumn.decode(row[9], table: table, column: "reason"),
            defaultDecision: try StoredColumn.decode(row[10], table: table, column: "default_decision"), deadline: date(row[11]),
            status: try StoredColumn.decode(row[12], table: table, column: "status"), source: source, createdAt: date(row[15]))
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
            SELECT \(checkColumns) FROM check_issues WHERE issue_file_id = ?1 OR void_file_id = ?1
            ORDER BY CASE WHEN issue_file_id = ?1 THEN issue_file_line ELSE void_file_line END
            """), arguments: [fileID]).map(check(from:))
    }

    static func check(_ db: Database, id: String) throws -> CheckIssue {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(checkColumns) FROM check_issues WHERE id = ?"),
                                         arguments: [id]) else {
            throw PaymentError(.notFound, "no check \(id)")
        }
        return try check(from: row)
    }

    static let checkColumns = """
        id, merchant_id, account_id, serial, amount_cents, issue_date, payee, metadata, idempotency_key, state, version, failure_code,
        failure_message, issue_file_id, issue_file_line, void_requested_at, void_file_id, void_file_line, created_at, updated_at, paid_on
        """

    /// Reads the columns of `checkColumns` by position: a name lookup per column costs more than the
    /// rest of decoding a row when a file's 100,000 checks are read.
    static func check(from row: Row) throws -> CheckIssue {
        let failureCode: String? = row[11]
        let issueFile: String? = row[13], voidFile: String? = row[16]
        let metadataText: String = row[7]
        guard let metadata = CanonicalJSON.parseObject(metadataText) else { throw StoredColumn.undecodable("check_issues", "metadata", metadataText) }
        return CheckIssue(
            id: row[0], merchantID: row[1], accountID: row[2], serial: row[3], amount: row[4],
            issueDate: try StoredColumn.day(row[5], table: "check_issues", column: "issue_date"), payee: row[6],
            metadata: metadata, idempotencyKey: row[8],
            state: try StoredColumn.decode(row[9], table: "check_issues", column: "state"), version: row[10],
            failure: failureCode.map { Failure(code: $0, message: row[12] ?? "") },
            issueRecord: issueFile.map { CheckIssue.Placement(fileID: $0, line: row[14] ?? 0) },
            voidRequestedAt: (row[15] as Int64?).map(date),
            voidRecord: voidFile.map { CheckIssue.Placement(fileID: $0, line: row[17] ?? 0) },
            paidOn: try StoredColumn.day(ifPresent: row[20], table: "check_issues", column: "paid_on"), createdAt: date(row[18]),
            updatedAt: date(row[19]))
    }

    static func checkAccount(_ db: Database, id: String) throws -> CheckAccount? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM check_accounts WHERE id = ?"), arguments: [id]).map(checkAccount(from:))
    }

    static func checkAccount(from row: Row) throws -> CheckAccount {
        CheckAccount(id: row["id"], merchantID: row["merchant_id"], routingNumber: row["routing_number"],
                     accountNumber: row["account_number"], layout: try StoredColumn.decode(row["layout"], table: "check_accounts", column: "layout"),
                     payeeMatch: row["payee_match"] as Int == 1, createdAt: date(row["created_at"]),
                     disabledAt: (row["disabled_at"] as Int64?).map(date))
    }
}

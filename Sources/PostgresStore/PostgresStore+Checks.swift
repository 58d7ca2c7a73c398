import Foundation
import Payments
import PostgresNIO

/// Check issues on PostgreSQL. An intake locks the accounts it draws on (`FOR UPDATE`, in id
/// order), so two instances registering the same serial take turns and the second sees the
/// first's live check; the partial unique index on live serials backs it.
extension PostgresStore: CheckStore {
    public func addCheckAccount(_ account: CheckAccount) async throws -> CheckAccount {
        try await transaction("enrolling a check account") { session in
            guard try await session.value("SELECT 1 FROM merchants WHERE id = \(account.merchantID)", as: Int.self) != nil else {
                throw PaymentError(.merchantNotFound, "no merchant \(account.merchantID)")
            }
            // Enrolments are rare: one at a time, so two of one account never both read "none enrolled".
            try await session.count("LOCK TABLE check_accounts IN SHARE ROW EXCLUSIVE MODE")
            var enrolled: [CheckAccount] = []
            for row in try await session.rows("""
                SELECT \(unescaped: Self.checkAccountColumns) FROM check_accounts
                WHERE routing_number = \(account.routingNumber) AND disabled_at IS NULL
                """) {
                enrolled.append(try Self.checkAccount(from: row))
            }
            if let conflict = account.enrolmentConflict(with: enrolled) { throw conflict }
            let inserted = try await session.count("""
                INSERT INTO check_accounts (id, merchant_id, routing_number, account_number, layout, payee_match, created_at, disabled_at)
                VALUES (\(account.id), \(account.merchantID), \(account.routingNumber), \(account.accountNumber),
                        \(account.layout.rawValue), \(account.payeeMatch ? 1 : 0), \(Self.milliseconds(account.createdAt)),
                        \(account.disabledAt.map(Self.milliseconds)))
                ON CONFLICT (merchant_id, routing_number, account_number) DO NOTHING
                """)
            guard inserted == 1 else {
                throw PaymentError(.duplicateAccount, "account \(account.maskedAccountNumber) is already enrolled for this merchant")
            }
            return account
        }
    }

    public func disableCheckAccount(id: String, at now: Date) async throws -> CheckAccount {
        try await transaction("disabling a check account") { session in
            guard let row = try await session.rows("""
                SELECT \(unescaped: Self.checkAccountColumns) FROM check_accounts WHERE id = \(id) FOR UPDATE
                """).first else { throw PaymentError(.notFound, "no check account \(id)") }
            let disabled = try Self.checkAccount(from: row).disabled(at: now)
            try await session.count("UPDATE check_accounts SET disabled_at = \(disabled.disabledAt.map(Self.milliseconds)) WHERE id = \(id)")
            return disabled
        }
    }

    public func checkAccount(id: String) async throws -> CheckAccount {
        let found = try await read("reading a check account") { session in try await Self.checkAccount(session, id: id) }
        guard let found else { throw PaymentError(.notFound, "no check account \(id)") }
        return found
    }

    public func checkAccounts(merchantID: String?) async throws -> [CheckAccount] {
        try await read("listing check accounts") { session in
            try await session.rows("""
                SELECT \(unescaped: Self.checkAccountColumns) FROM check_accounts
                WHERE \(merchantID)::text IS NULL OR merchant_id = \(merchantID) ORDER BY id
                """).map(Self.checkAccount(from:))
        }
    }

    public func issueChecks(_ intakes: [CheckIntake]) async throws -> [CheckIntake.Outcome] {
        try await transaction("issuing checks") { session in
            let accountIDs = Array(Set(intakes.map(\.check.accountID))).sorted()
            var accounts: [String: CheckAccount] = [:]
            for row in try await session.rows("""
                SELECT \(unescaped: Self.checkAccountColumns) FROM check_accounts WHERE id = ANY(\(accountIDs)) ORDER BY id FOR UPDATE
                """) {
                let account = try Self.checkAccount(from: row)
                accounts[account.id] = account
            }
            var planner = CheckPlanner(endpoints: try await Self.enabledEndpoints(session, merchants: intakes.map(\.merchantID)))
            var outcomes: [CheckIntake.Outcome] = []
            for intake in intakes {
                let existing = try await session.rows("""
                    SELECT \(unescaped: Self.checkColumns), fingerprint, response_body FROM check_issues
                    WHERE merchant_id = \(intake.merchantID) AND idempotency_key = \(intake.idempotencyKey)
                    """).first.map { row in
                    var cells = Cells(row)
                    let check = try Self.check(from: &cells)
                    let fingerprint = try cells.next(String.self)
                    return (check: check, fingerprint: fingerprint, response: try cells.next(String?.self).map { Data($0.utf8) })
                }
                let live = try await session.rows("""
                    SELECT \(unescaped: Self.checkColumns) FROM check_issues
                    WHERE account_id = \(intake.check.accountID) AND serial = \(intake.check.serial) AND state <> 'P_FAILED'
                    """).first.map(Self.check(from:))
                outcomes.append(try planner.takeIn(intake, as: CheckIntake.Read(existing: existing, account: accounts[intake.check.accountID],
                                                                                  liveSerial: live)))
            }
            try await PostgresCheckPlanWriter.persist(planner.plan, session)
            return outcomes
        }
    }

    public func check(id: String) async throws -> CheckIssue {
        try await read("reading a check") { session in try await Self.check(session, id: id) }
    }

    public func checks(ids: [String]) async throws -> [String: CheckIssue] {
        try await read("reading checks") { session in
            var found: [String: CheckIssue] = [:]
            for row in try await session.rows("SELECT \(unescaped: Self.checkColumns) FROM check_issues WHERE id = ANY(\(Array(Set(ids))))") {
                let check = try Self.check(from: row)
                found[check.id] = check
            }
            return found
        }
    }

    public func checkHistory(checkID: String) async throws -> [HistoryEntry] {
        try await read("reading a check's history") { session in
            _ = try await Self.check(session, id: checkID)
            return try await session.rows("""
                SELECT check_id, version, from_state, to_state, actor, reason_code, reason_text, source_file, source_line, created_at
                FROM check_history WHERE check_id = \(checkID) ORDER BY version
                """).map { row in
                var cells = Cells(row)
                return try Self.historyEntry(from: &cells)
            }
        }
    }

    public func checks(_ query: CheckQuery) async throws -> [CheckIssue] {
        try await read("listing checks") { session in
            try await session.rows("""
                SELECT \(unescaped: Self.checkColumns) FROM check_issues
                WHERE (\(query.merchantID)::text IS NULL OR merchant_id = \(query.merchantID))
                  AND (\(query.accountID)::text IS NULL OR account_id = \(query.accountID))
                  AND (\(query.state?.rawValue)::text IS NULL OR state = \(query.state?.rawValue))
                  AND (\(query.afterID)::text IS NULL OR id > \(query.afterID))
                  AND (\(query.serial)::text IS NULL OR serial = \(query.serial))
                ORDER BY id LIMIT \(query.limit)
                """).map(Self.check(from:))
        }
    }

    public func persist(_ plan: CheckPlan) async throws {
        try await transaction("persisting a check plan") { session in try await PostgresCheckPlanWriter.persist(plan, session) }
    }

    public func voidCheck(id: String, actor: Actor, source: SourceReference?) async throws -> CheckIssue {
        try await transaction("voiding a check") { session in
            let read = try await Self.check(session, id: id, locking: true)
            var planner = CheckPlanner(endpoints: try await Self.enabledEndpoints(session, merchants: [read.merchantID]))
            let check = try planner.void(read, actor: actor, source: source)
            try await PostgresCheckPlanWriter.persist(planner.plan, session)
            return check
        }
    }

    public func pendingCheckRecords(limit: Int) async throws -> [PendingCheckRecord] {
        try await read("collecting check records") { session in
            let issues = try await session.rows("""
                SELECT \(unescaped: Self.checkColumns) FROM check_issues WHERE state = 'P_VALIDATED' AND issue_file_id IS NULL
                ORDER BY id LIMIT \(limit)
                """).map(Self.check(from:))
            let voids = try await session.rows("""
                SELECT \(unescaped: Self.checkColumns) FROM check_issues
                WHERE void_requested_at IS NOT NULL AND void_file_id IS NULL AND state IN ('P_SUBMITTED_TO_CORE', 'P_PROCESSING')
                ORDER BY id LIMIT \(limit)
                """).map(Self.check(from:))
            let accountIDs = Array(Set((issues + voids).map(\.accountID)))
            var accounts: [String: CheckAccount] = [:]
            for row in try await session.rows("""
                SELECT \(unescaped: Self.checkAccountColumns) FROM check_accounts WHERE id = ANY(\(accountIDs))
                """) {
                let account = try Self.checkAccount(from: row)
                accounts[account.id] = account
            }
            func record(_ action: PendingCheckRecord.Action, _ check: CheckIssue) throws -> PendingCheckRecord {
                guard let account = accounts[check.accountID] else { throw PaymentError(.notFound, "no check account \(check.accountID)") }
                return PendingCheckRecord(action: action, check: check, account: account)
            }
            return try issues.map { try record(.issue, $0) } + voids.map { try record(.void, $0) }
        }
    }

    public func recordRenderedFile(_ file: OutboundFile, checks binding: CheckPlan) async throws {
        try await transaction("recording an issue file") { session in
            try await Self.insert(file, session)
            try await PostgresCheckPlanWriter.persist(binding, session)
        }
    }

    public func checkExceptions(merchantID: String?, status: CheckException.Status?) async throws -> [CheckException] {
        try await read("listing exceptions") { session in
            try await session.rows("""
                SELECT \(unescaped: Self.exceptionColumns) FROM check_exceptions
                WHERE (\(merchantID)::text IS NULL OR merchant_id = \(merchantID))
                  AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue)) ORDER BY id
                """).map(Self.exception(from:))
        }
    }

    public func checkException(accountID: String, bankReference: String) async throws -> CheckException? {
        try await read("reading an exception") { session in
            try await session.rows("""
                SELECT \(unescaped: Self.exceptionColumns) FROM check_exceptions
                WHERE account_id = \(accountID) AND bank_reference = \(bankReference)
                """).first.map(Self.exception(from:))
        }
    }

    public func checkException(id: String) async throws -> CheckException {
        try await read("reading an exception") { session in try await Self.exception(session, id: id) }
    }

    public func decideException(id: String, decision: CheckException.Decision, returnReason: String?, actor: Actor,
                                source: SourceReference?, at now: Date) async throws -> ExceptionDecision {
        try await transaction("deciding an exception") { session in
            let exception = try await Self.exception(session, id: id, locking: true)
            var planner = CheckPlanner(now: now, endpoints: try await Self.enabledEndpoints(session, merchants: [exception.merchantID]))
            let made = try planner.decide(exception, decision, returnReason: returnReason,
                                          actor: actor, source: source)
            try await PostgresCheckPlanWriter.persist(planner.plan, session)
            return made
        }
    }

    public func closeLapsedExceptions(at now: Date, actor: Actor) async throws -> [CheckException] {
        try await transaction("settling lapsed exceptions") { session in
            let due = try await session.rows("""
                SELECT \(unescaped: Self.exceptionColumns) FROM check_exceptions
                WHERE status <> 'closed' AND deadline <= \(Self.milliseconds(now)) ORDER BY id FOR UPDATE
                """).map(Self.exception(from:))
            var planner = CheckPlanner(now: now, endpoints: try await Self.enabledEndpoints(session, merchants: due.map(\.merchantID)))
            var settled: [CheckException] = []
            for exception in due {
                var check: CheckIssue?
                if let id = exception.checkID { check = try await Self.check(session, id: id, locking: true) }
                let decision = try await session.rows("""
                    SELECT \(unescaped: Self.decisionColumns) FROM check_decisions
                    WHERE exception_id = \(exception.id) ORDER BY id DESC LIMIT 1 FOR UPDATE
                    """).first.map(Self.decision(from:))
                if try planner.settle(exception, check: check, decision: decision, actor: actor) { settled.append(exception) }
            }
            try await PostgresCheckPlanWriter.persist(planner.plan, session)
            return settled
        }
    }

    public func decisions(exceptionID: String?) async throws -> [ExceptionDecision] {
        try await read("listing decisions") { session in
            try await session.rows("""
                SELECT \(unescaped: Self.decisionColumns) FROM check_decisions
                WHERE \(exceptionID)::text IS NULL OR exception_id = \(exceptionID) ORDER BY id
                """).map(Self.decision(from:))
        }
    }

    public func decisionHistory(decisionID: String) async throws -> [HistoryEntry] {
        try await read("reading a decision's history") { session in
            try await session.rows("""
                SELECT decision_id, version, from_state, to_state, actor, reason_code, reason_text, source_file, source_line, created_at
                FROM decision_history WHERE decision_id = \(decisionID) ORDER BY version
                """).map { row in
                var cells = Cells(row)
                return try Self.historyEntry(from: &cells)
            }
        }
    }

    public func pendingDecisions(limit: Int) async throws -> [PendingDecision] {
        try await read("collecting decisions") { session in
            var pending: [PendingDecision] = []
            for row in try await session.rows("""
                SELECT \(unescaped: Self.decisionColumns) FROM check_decisions WHERE state = 'P_VALIDATED' AND file_id IS NULL
                ORDER BY id LIMIT \(limit)
                """) {
                let decision = try Self.decision(from: row)
                let exception = try await Self.exception(session, id: decision.exceptionID)
                guard let account = try await Self.checkAccount(session, id: exception.accountID) else {
                    throw PaymentError(.notFound, "no check account \(exception.accountID)")
                }
                pending.append(PendingDecision(decision: decision, exception: exception, account: account))
            }
            return pending
        }
    }

    public func fileDecisions(fileID: String) async throws -> [ExceptionDecision] {
        try await read("reading a file's decisions") { session in try await Self.fileDecisions(session, fileID: fileID) }
    }

    static func fileDecisions(_ session: Session, fileID: String, locking: Bool = false) async throws -> [ExceptionDecision] {
        try await session.rows("""
            SELECT \(unescaped: decisionColumns) FROM check_decisions WHERE file_id = \(fileID) ORDER BY file_line
            \(unescaped: locking ? "FOR UPDATE" : "")
            """).map(decision(from:))
    }

    static func exception(_ session: Session, id: String, locking: Bool = false) async throws -> CheckException {
        guard let row = try await session.rows("""
            SELECT \(unescaped: exceptionColumns) FROM check_exceptions WHERE id = \(id) \(unescaped: locking ? "FOR UPDATE" : "")
            """).first else {
            throw PaymentError(.notFound, "no exception \(id)")
        }
        return try exception(from: row)
    }

    static let decisionColumns = """
        id, exception_id, merchant_id, decision, return_reason, state, version, failure_code, failure_message, file_id, file_line, \
        created_at, updated_at
        """

    static func decision(from row: PostgresRow) throws -> ExceptionDecision {
        var cells = Cells(row)
        let id: String = try cells.next(), exceptionID: String = try cells.next(), merchantID: String = try cells.next()
        let decision: String = try cells.next(), reason: String? = try cells.next(), state: String = try cells.next()
        let version: Int = try cells.next(), failureCode: String? = try cells.next(), failureMessage: String? = try cells.next()
        let file: String? = try cells.next(), line: Int? = try cells.next(), createdAt: Int64 = try cells.next()
        let updatedAt: Int64 = try cells.next()
        return ExceptionDecision(
            id: id, exceptionID: exceptionID, merchantID: merchantID,
            decision: try StoredColumn.decode(decision, table: "check_decisions", column: "decision"),
            returnReason: reason, state: try StoredColumn.decode(state, table: "check_decisions", column: "state"), version: version,
            failure: failureCode.map { Failure(code: $0, message: failureMessage ?? "") },
            record: file.map { CheckIssue.Placement(fileID: $0, line: line ?? 0) }, createdAt: date(createdAt), updatedAt: date(updatedAt))
    }

    static let exceptionColumns = """
        id, bank_reference, merchant_id, account_id, check_id, serial, presented_cents, issued_cents, presented_payee, reason, \
        default_decision, deadline, status, source_file, source_line, created_at
        """

    static func exception(from row: PostgresRow) throws -> CheckException {
        var cells = Cells(row)
        return try exception(from: &cells)
    }

    /// An exception from the next `exceptionColumns` cells.
    static func exception(from cells: inout Cells) throws -> CheckException {
        let id: String = try cells.next(), reference: String = try cells.next(), merchantID: String = try cells.next()
        let accountID: String = try cells.next(), checkID: String? = try cells.next(), serial: String = try cells.next()
        let presented: Int64 = try cells.next(), issued: Int64? = try cells.next(), payee: String = try cells.next()
        let reason: String = try cells.next(), decision: String = try cells.next(), deadline: Int64 = try cells.next()
        let status: String = try cells.next(), file: String = try cells.next(), line: Int? = try cells.next()
        let createdAt: Int64 = try cells.next()
        let table = "check_exceptions"
        guard let source = try StoredColumn.source(file: file, line: line, table: table) else { throw StoredColumn.undecodable(table, "source_file", "") }
        return CheckException(
            id: id, bankReference: reference, merchantID: merchantID, accountID: accountID, checkID: checkID, serial: serial,
            presentedAmount: presented, issuedAmount: issued, presentedPayee: payee,
            reason: try StoredColumn.decode(reason, table: table, column: "reason"),
            defaultDecision: try StoredColumn.decode(decision, table: table, column: "default_decision"), deadline: date(deadline),
            status: try StoredColumn.decode(status, table: table, column: "status"), source: source, createdAt: date(createdAt))
    }

    public func fileChecks(fileID: String) async throws -> [CheckIssue] {
        try await read("reading a file's checks") { session in
            _ = try await Self.outboundFile(session, id: fileID)
            return try await Self.fileChecks(session, fileID: fileID)
        }
    }

    // MARK: Rows

    /// The checks with a record in the file, by the line of that record; `FOR UPDATE` when the caller changes them.
    static func fileChecks(_ session: Session, fileID: String, locking: Bool = false) async throws -> [CheckIssue] {
        try await session.rows("""
            SELECT \(unescaped: checkColumns) FROM check_issues WHERE issue_file_id = \(fileID) OR void_file_id = \(fileID)
            ORDER BY CASE WHEN issue_file_id = \(fileID) THEN issue_file_line ELSE void_file_line END
            \(unescaped: locking ? "FOR UPDATE" : "")
            """).map(check(from:))
    }

    static func check(_ session: Session, id: String, locking: Bool = false) async throws -> CheckIssue {
        guard let row = try await session.rows("""
            SELECT \(unescaped: checkColumns) FROM check_issues WHERE id = \(id) \(unescaped: locking ? "FOR UPDATE" : "")
            """).first else {
            throw PaymentError(.notFound, "no check \(id)")
        }
        return try check(from: row)
    }

    static let checkColumns = """
        id, merchant_id, account_id, serial, amount_cents, issue_date, payee, metadata, idempotency_key, state, version, failure_code, \
        failure_message, issue_file_id, issue_file_line, void_requested_at, void_file_id, void_file_line, created_at, updated_at, paid_on
        """

    static func check(from row: PostgresRow) throws -> CheckIssue {
        var cells = Cells(row)
        return try check(from: &cells)
    }

    static func check(from cells: inout Cells) throws -> CheckIssue {
        let id: String = try cells.next(), merchantID: String = try cells.next(), accountID: String = try cells.next()
        let serial: String = try cells.next(), amount: Int64 = try cells.next(), issueDate: String = try cells.next()
        let payee: String = try cells.next(), metadata: String = try cells.next(), key: String = try cells.next()
        let state: String = try cells.next(), version: Int = try cells.next(), failureCode: String? = try cells.next()
        let failureMessage: String? = try cells.next(), issueFile: String? = try cells.next(), issueLine: Int? = try cells.next()
        let voidRequested: Int64? = try cells.next(), voidFile: String? = try cells.next(), voidLine: Int? = try cells.next()
        let createdAt: Int64 = try cells.next(), updatedAt: Int64 = try cells.next(), paidOn: String? = try cells.next()
        guard let metadataObject = CanonicalJSON.parseObject(metadata) else { throw StoredColumn.undecodable("check_issues", "metadata", metadata) }
        return CheckIssue(
            id: id, merchantID: merchantID, accountID: accountID, serial: serial, amount: amount,
            issueDate: try StoredColumn.day(issueDate, table: "check_issues", column: "issue_date"), payee: payee,
            metadata: metadataObject, idempotencyKey: key, state: try StoredColumn.decode(state, table: "check_issues", column: "state"),
            version: version, failure: failureCode.map { Failure(code: $0, message: failureMessage ?? "") },
            issueRecord: issueFile.map { CheckIssue.Placement(fileID: $0, line: issueLine ?? 0) },
            voidRequestedAt: voidRequested.map(date),
            voidRecord: voidFile.map { CheckIssue.Placement(fileID: $0, line: voidLine ?? 0) },
            paidOn: try StoredColumn.day(ifPresent: paidOn, table: "check_issues", column: "paid_on"), createdAt: date(createdAt),
            updatedAt: date(updatedAt))
    }

    static let checkAccountColumns = "id, merchant_id, routing_number, account_number, layout, payee_match, created_at, disabled_at"

    static func checkAccount(_ session: Session, id: String) async throws -> CheckAccount? {
        try await session.rows("SELECT \(unescaped: checkAccountColumns) FROM check_accounts WHERE id = \(id)").first.map(checkAccount(from:))
    }

    static func checkAccount(from row: PostgresRow) throws -> CheckAccount {
        let (id, merchantID, routing, account, layout, payeeMatch, createdAt, disabledAt)
            = try row.decode((String, String, String, String, String, Int, Int64, Int64?).self)
        return CheckAccount(id: id, merchantID: merchantID, routingNumber: routing, accountNumber: account,
                            layout: try StoredColumn.decode(layout, table: "check_accounts", column: "layout"), payeeMatch: payeeMatch == 1, createdAt: date(createdAt),
                            disabledAt: disabledAt.map(date))
    }
}

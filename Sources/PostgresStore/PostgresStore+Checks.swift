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
                SELECT \(unescaped: CheckAccount.columnList) FROM check_accounts
                WHERE routing_number = \(account.routingNumber) AND disabled_at IS NULL
                """) {
                enrolled.append(try CheckAccount(row))
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
                SELECT \(unescaped: CheckAccount.columnList) FROM check_accounts WHERE id = \(id) FOR UPDATE
                """).first else { throw PaymentError(.notFound, "no check account \(id)") }
            let disabled = try CheckAccount(row).disabled(at: now)
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
                SELECT \(unescaped: CheckAccount.columnList) FROM check_accounts
                WHERE \(merchantID)::text IS NULL OR merchant_id = \(merchantID) ORDER BY id
                """).map(CheckAccount.init(_:))
        }
    }

    public func checkIntakeReads(_ intakes: [CheckIntake]) async throws -> [CheckIntake.Read] {
        try await read("reading what check intake needs") { session in
            var accounts: [String: CheckAccount] = [:]
            for row in try await session.rows("""
                SELECT \(unescaped: CheckAccount.columnList) FROM check_accounts WHERE id = ANY(\(Array(Set(intakes.map(\.check.accountID)))))
                """) {
                let account = try CheckAccount(row)
                accounts[account.id] = account
            }
            var reads: [CheckIntake.Read] = []
            for intake in intakes {
                let existing = try await session.rows("""
                    SELECT \(unescaped: CheckIssue.columnList), fingerprint, response_body FROM check_issues
                    WHERE merchant_id = \(intake.merchantID) AND idempotency_key = \(intake.idempotencyKey)
                    """).first.map { row in
                    var cells = Cells(row)
                    return (check: try CheckIssue(stored: &cells), fingerprint: try cells.string(),
                            response: try cells.optionalString().map { Data($0.utf8) })
                }
                let live = try await session.rows("""
                    SELECT \(unescaped: CheckIssue.columnList) FROM check_issues
                    WHERE account_id = \(intake.check.accountID) AND serial = \(intake.check.serial) AND state <> 'P_FAILED'
                    """).first.map(CheckIssue.init(_:))
                reads.append(CheckIntake.Read(existing: existing, account: accounts[intake.check.accountID], liveSerial: live))
            }
            return reads
        }
    }

    public func check(id: String) async throws -> CheckIssue {
        try await read("reading a check") { session in try await Self.check(session, id: id) }
    }

    public func checks(ids: [String]) async throws -> [String: CheckIssue] {
        try await read("reading checks") { session in
            var found: [String: CheckIssue] = [:]
            for row in try await session.rows("SELECT \(unescaped: CheckIssue.columnList) FROM check_issues WHERE id = ANY(\(Array(Set(ids))))") {
                let check = try CheckIssue(row)
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
                return try HistoryEntry(stored: &cells)
            }
        }
    }

    public func checkHistory(checkIDs: [String]) async throws -> [HistoryEntry] {
        try await read("reading check histories") { session in
            try await session.rows("""
                SELECT check_id, version, from_state, to_state, actor, reason_code, reason_text, source_file, source_line, created_at
                FROM check_history WHERE check_id = ANY(\(checkIDs)) ORDER BY check_id, version
                """).map { row in
                var cells = Cells(row)
                return try HistoryEntry(stored: &cells)
            }
        }
    }

    public func checks(_ query: CheckQuery) async throws -> [CheckIssue] {
        let window = query.window
        return try await read("listing checks") { session in
            try await session.rows("""
                SELECT \(unescaped: CheckIssue.columnList) FROM check_issues
                WHERE (\(query.merchantID)::text IS NULL OR merchant_id = \(query.merchantID))
                  AND (\(query.accountID)::text IS NULL OR account_id = \(query.accountID))
                  AND (\(query.state?.rawValue)::text IS NULL OR state = \(query.state?.rawValue))
                  AND (\(query.serial)::text IS NULL OR serial = \(query.serial))
                  AND (\(query.minimumAmount)::bigint IS NULL OR amount_cents >= \(query.minimumAmount))
                  AND (\(query.maximumAmount)::bigint IS NULL OR amount_cents <= \(query.maximumAmount))
                  AND (\(query.fileID)::text IS NULL OR issue_file_id = \(query.fileID) OR void_file_id = \(query.fileID))
                  AND (\(window.sinceMilliseconds)::bigint IS NULL OR created_at >= \(window.sinceMilliseconds))
                  AND (\(window.untilMilliseconds)::bigint IS NULL OR created_at < \(window.untilMilliseconds))
                  AND (\(window.afterID)::text IS NULL OR id \(unescaped: window.cursorComparison) \(window.afterID))
                ORDER BY id \(unescaped: window.order) LIMIT \(window.limit)
                """).map(CheckIssue.init(_:))
        }
    }

    public func persist(_ plan: CheckPlan) async throws {
        try await transaction("persisting a check plan", audit: plan.auditRecord) { session in try await PostgresCheckPlanWriter.persist(plan, session) }
    }

    public func pendingCheckRecords(limit: Int) async throws -> [PendingCheckRecord] {
        try await read("collecting check records") { session in
            let issues = try await session.rows("""
                SELECT \(unescaped: CheckIssue.columnList) FROM check_issues WHERE state = 'P_VALIDATED' AND issue_file_id IS NULL
                ORDER BY id LIMIT \(limit)
                """).map(CheckIssue.init(_:))
            let voids = try await session.rows("""
                SELECT \(unescaped: CheckIssue.columnList) FROM check_issues
                WHERE void_requested_at IS NOT NULL AND void_file_id IS NULL AND state IN ('P_SUBMITTED_TO_CORE', 'P_PROCESSING')
                ORDER BY id LIMIT \(limit)
                """).map(CheckIssue.init(_:))
            let accountIDs = Array(Set((issues + voids).map(\.accountID)))
            var accounts: [String: CheckAccount] = [:]
            for row in try await session.rows("""
                SELECT \(unescaped: CheckAccount.columnList) FROM check_accounts WHERE id = ANY(\(accountIDs))
                """) {
                let account = try CheckAccount(row)
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
        try await transaction("recording an issue file", audit: AuditRecord(actor: .cutoff, action: .fileRendered, subjects: [file.id],
                                                                            detail: file.status.rawValue)) { session in
            try await Self.insert(file, session)
            try await PostgresCheckPlanWriter.persist(binding, session)
        }
    }

    public func checkExceptions(merchantID: String?, status: CheckException.Status?) async throws -> [CheckException] {
        try await read("listing exceptions") { session in
            try await session.rows("""
                SELECT \(unescaped: CheckException.columnList) FROM check_exceptions
                WHERE (\(merchantID)::text IS NULL OR merchant_id = \(merchantID))
                  AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue)) ORDER BY id
                """).map(CheckException.init(_:))
        }
    }

    public func checkException(accountID: String, bankReference: String) async throws -> CheckException? {
        try await read("reading an exception") { session in
            try await session.rows("""
                SELECT \(unescaped: CheckException.columnList) FROM check_exceptions
                WHERE account_id = \(accountID) AND bank_reference = \(bankReference)
                """).first.map(CheckException.init(_:))
        }
    }

    public func checkException(id: String) async throws -> CheckException {
        try await read("reading an exception") { session in try await Self.exception(session, id: id) }
    }

    public func decisions(exceptionID: String?) async throws -> [ExceptionDecision] {
        try await read("listing decisions") { session in
            try await session.rows("""
                SELECT \(unescaped: ExceptionDecision.columnList) FROM check_decisions
                WHERE \(exceptionID)::text IS NULL OR exception_id = \(exceptionID) ORDER BY id
                """).map(ExceptionDecision.init(_:))
        }
    }

    public func decisionHistory(decisionID: String) async throws -> [HistoryEntry] {
        try await read("reading a decision's history") { session in
            try await session.rows("""
                SELECT decision_id, version, from_state, to_state, actor, reason_code, reason_text, source_file, source_line, created_at
                FROM decision_history WHERE decision_id = \(decisionID) ORDER BY version
                """).map { row in
                var cells = Cells(row)
                return try HistoryEntry(stored: &cells)
            }
        }
    }

    public func pendingDecisions(limit: Int) async throws -> [PendingDecision] {
        try await read("collecting decisions") { session in
            var pending: [PendingDecision] = []
            for row in try await session.rows("""
                SELECT \(unescaped: ExceptionDecision.columnList) FROM check_decisions WHERE state = 'P_VALIDATED' AND file_id IS NULL
                ORDER BY id LIMIT \(limit)
                """) {
                let decision = try ExceptionDecision(row)
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

    static func fileDecisions(_ session: Session, fileID: String) async throws -> [ExceptionDecision] {
        try await session.rows("""
            SELECT \(unescaped: ExceptionDecision.columnList) FROM check_decisions WHERE file_id = \(fileID) ORDER BY file_line
            """).map(ExceptionDecision.init(_:))
    }

    static func exception(_ session: Session, id: String) async throws -> CheckException {
        guard let row = try await session.rows("""
            SELECT \(unescaped: CheckException.columnList) FROM check_exceptions WHERE id = \(id)
            """).first else {
            throw PaymentError(.notFound, "no exception \(id)")
        }
        return try CheckException(row)
    }

    public func fileChecks(fileID: String) async throws -> [CheckIssue] {
        try await read("reading a file's checks") { session in
            _ = try await Self.outboundFile(session, id: fileID)
            return try await Self.fileChecks(session, fileID: fileID)
        }
    }

    // MARK: Rows

    /// The checks with a record in the file, by the line of that record.
    static func fileChecks(_ session: Session, fileID: String) async throws -> [CheckIssue] {
        try await session.rows("""
            SELECT \(unescaped: CheckIssue.columnList) FROM check_issues WHERE issue_file_id = \(fileID) OR void_file_id = \(fileID)
            ORDER BY CASE WHEN issue_file_id = \(fileID) THEN issue_file_line ELSE void_file_line END
            """).map(CheckIssue.init(_:))
    }

    static func check(_ session: Session, id: String) async throws -> CheckIssue {
        guard let row = try await session.rows("""
            SELECT \(unescaped: CheckIssue.columnList) FROM check_issues WHERE id = \(id)
            """).first else {
            throw PaymentError(.notFound, "no check \(id)")
        }
        return try CheckIssue(row)
    }

    static func checkAccount(_ session: Session, id: String) async throws -> CheckAccount? {
        try await session.rows("SELECT \(unescaped: CheckAccount.columnList) FROM check_accounts WHERE id = \(id)").first.map(CheckAccount.init(_:))
    }

}

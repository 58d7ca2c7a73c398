import Foundation
import Payments
import PostgresNIO

/// The write path of Positive Pay on PostgreSQL, as `PostgresPlanWriter` is the ledger's: persists a
/// `CheckPlan` inside the caller's transaction, one set-based statement per table. It decides
/// nothing: a check, exception or decision no longer as the plan read it refuses the whole plan.
enum PostgresCheckPlanWriter {
    /// A check plan set-based: new rows in one insert, updates in one statement checked by version
    /// and placement (a row not as read refuses the plan), history in one insert.
    static func persist(_ plan: CheckPlan, _ session: Session) async throws {
        try await session.insert(into: "check_issues", rows: plan.newChecks.count) { columns in
            let checks = plan.newChecks.map(\.check)
            columns.text("id", checks.map(\.id))
            columns.text("merchant_id", checks.map(\.merchantID))
            columns.text("account_id", checks.map(\.accountID))
            columns.text("serial", checks.map(\.serial))
            columns.int("amount_cents", checks.map(\.amount))
            columns.text("issue_date", checks.map(\.issueDate.description))
            columns.text("payee", checks.map(\.payee))
            columns.text("metadata", checks.map { CanonicalJSON.object($0.metadata) })
            columns.text("idempotency_key", checks.map(\.idempotencyKey))
            columns.text("fingerprint", plan.newChecks.map(\.fingerprint))
            columns.text("response_body", plan.newChecks.map { $0.response.map { String(decoding: $0, as: UTF8.self) } })
            lifecycle(checks, &columns)
            columns.int("created_at", checks.map { PostgresStore.milliseconds($0.createdAt) })
        }
        if !plan.updates.isEmpty {
            var columns = UnnestColumns()
            columns.text("id", plan.updates.map(\.check.id))
            columns.int("expected_version", plan.updates.map { Int64($0.expectedVersion) })
            columns.text("expected_issue_file_id", plan.updates.map(\.expectedIssueFileID))
            columns.text("expected_void_file_id", plan.updates.map(\.expectedVoidFileID))
            lifecycle(plan.updates.map(\.check), &columns)
            let assignments = columns.names.dropFirst(4).map { "\($0) = u.\($0)" }.joined(separator: ", ")
            let updated = try await session.count(columns.query("""
                UPDATE check_issues AS c SET \(assignments) FROM \(columns.unnest(as: "u"))
                WHERE c.id = u.id AND c.version = u.expected_version AND c.issue_file_id IS NOT DISTINCT FROM u.expected_issue_file_id
                  AND c.void_file_id IS NOT DISTINCT FROM u.expected_void_file_id
                """))
            guard updated == plan.updates.count else {
                throw StoreError(.conflict, "\(plan.updates.count - updated) of \(plan.updates.count) checks changed since they were read")
            }
        }
        try await session.insert(plan.history, into: "check_history", requestColumn: "check_id")
        try await session.insert(into: "check_exceptions", rows: plan.newExceptions.count) { columns in
            let exceptions = plan.newExceptions
            columns.text("id", exceptions.map(\.id))
            columns.text("bank_reference", exceptions.map(\.bankReference))
            columns.text("merchant_id", exceptions.map(\.merchantID))
            columns.text("account_id", exceptions.map(\.accountID))
            columns.text("check_id", exceptions.map(\.checkID))
            columns.text("serial", exceptions.map(\.serial))
            columns.int("presented_cents", exceptions.map(\.presentedAmount))
            columns.int("issued_cents", exceptions.map(\.issuedAmount))
            columns.text("presented_payee", exceptions.map(\.presentedPayee))
            columns.text("reason", exceptions.map(\.reason.rawValue))
            columns.text("default_decision", exceptions.map(\.defaultDecision.rawValue))
            columns.int("deadline", exceptions.map { PostgresStore.milliseconds($0.deadline) })
            columns.text("status", exceptions.map(\.status.rawValue))
            columns.text("source_file", exceptions.map(\.source.file))
            columns.int("source_line", exceptions.map { $0.source.line.map(Int64.init) })
            columns.int("created_at", exceptions.map { PostgresStore.milliseconds($0.createdAt) })
        }
        if !plan.exceptionChanges.isEmpty {
            var columns = UnnestColumns()
            columns.text("id", plan.exceptionChanges.map(\.exceptionID))
            columns.text("from_status", plan.exceptionChanges.map(\.from.rawValue))
            columns.text("to_status", plan.exceptionChanges.map(\.to.rawValue))
            let changed = try await session.count(columns.query("""
                UPDATE check_exceptions AS e SET status = u.to_status FROM \(columns.unnest(as: "u"))
                WHERE e.id = u.id AND e.status = u.from_status
                """))
            guard changed == plan.exceptionChanges.count else {
                throw StoreError(.conflict, "\(plan.exceptionChanges.count - changed) exceptions changed since they were read")
            }
        }
        try await session.insert(into: "check_decisions", rows: plan.newDecisions.count) { columns in
            let decisions = plan.newDecisions
            columns.text("id", decisions.map(\.id))
            columns.text("exception_id", decisions.map(\.exceptionID))
            columns.text("merchant_id", decisions.map(\.merchantID))
            columns.text("decision", decisions.map(\.decision.rawValue))
            columns.text("return_reason", decisions.map(\.returnReason))
            decisionLifecycle(decisions, &columns)
            columns.int("created_at", decisions.map { PostgresStore.milliseconds($0.createdAt) })
        }
        if !plan.decisionUpdates.isEmpty {
            var columns = UnnestColumns()
            columns.text("id", plan.decisionUpdates.map(\.decision.id))
            columns.int("expected_version", plan.decisionUpdates.map { Int64($0.expectedVersion) })
            columns.text("expected_file_id", plan.decisionUpdates.map(\.expectedFileID))
            decisionLifecycle(plan.decisionUpdates.map(\.decision), &columns)
            let assignments = columns.names.dropFirst(3).map { "\($0) = u.\($0)" }.joined(separator: ", ")
            let updated = try await session.count(columns.query("""
                UPDATE check_decisions AS d SET \(assignments) FROM \(columns.unnest(as: "u"))
                WHERE d.id = u.id AND d.version = u.expected_version AND d.file_id IS NOT DISTINCT FROM u.expected_file_id
                """))
            guard updated == plan.decisionUpdates.count else {
                throw StoreError(.conflict, "\(plan.decisionUpdates.count - updated) decisions changed since they were read")
            }
        }
        try await session.insert(plan.decisionHistory, into: "decision_history", requestColumn: "decision_id")
        try await PostgresPlanWriter.insertEvents(plan.events, session)
        for transition in plan.fileTransitions {
            let at = PostgresStore.milliseconds(transition.at)
            let moved = try await session.count("""
                UPDATE check_issues SET state = \(transition.to.rawValue), version = version + 1, updated_at = \(at)
                WHERE issue_file_id = \(transition.fileID) AND state = \(transition.from.rawValue)
                """)
            guard moved == transition.count else {
                throw StoreError(.conflict, "\(transition.count - moved) checks of file \(transition.fileID) changed since they were read")
            }
            try await session.count("""
                INSERT INTO check_history (check_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                                           source_line, created_at)
                SELECT id, version, \(transition.from.rawValue), \(transition.to.rawValue), \(transition.actor.rawValue),
                       \(transition.reasonCode), \(transition.reasonText), \(transition.source.file), issue_file_line, \(at)
                FROM check_issues WHERE issue_file_id = \(transition.fileID)
                """)
        }
    }

    /// The columns a decision's changes write: state, version, failure, file record and the time.
    private static func decisionLifecycle(_ decisions: [ExceptionDecision], _ columns: inout UnnestColumns) {
        columns.text("state", decisions.map(\.state.rawValue))
        columns.int("version", decisions.map { Int64($0.version) })
        columns.text("failure_code", decisions.map { $0.failure?.code })
        columns.text("failure_message", decisions.map { $0.failure?.message })
        columns.text("file_id", decisions.map { $0.record?.fileID })
        columns.int("file_line", decisions.map { $0.record.map { Int64($0.line) } })
        columns.int("updated_at", decisions.map { PostgresStore.milliseconds($0.updatedAt) })
    }

    /// The columns a check's changes write: state, version, failure, placements and the time.
    private static func lifecycle(_ checks: [CheckIssue], _ columns: inout UnnestColumns) {
        columns.text("state", checks.map(\.state.rawValue))
        columns.int("version", checks.map { Int64($0.version) })
        columns.text("failure_code", checks.map { $0.failure?.code })
        columns.text("failure_message", checks.map { $0.failure?.message })
        columns.text("issue_file_id", checks.map { $0.issueRecord?.fileID })
        columns.int("issue_file_line", checks.map { $0.issueRecord.map { Int64($0.line) } })
        columns.int("void_requested_at", checks.map { $0.voidRequestedAt.map(PostgresStore.milliseconds) })
        columns.text("void_file_id", checks.map { $0.voidRecord?.fileID })
        columns.int("void_file_line", checks.map { $0.voidRecord.map { Int64($0.line) } })
        columns.text("paid_on", checks.map { $0.paidOn?.description })
        columns.int("updated_at", checks.map { PostgresStore.milliseconds($0.updatedAt) })
    }
}

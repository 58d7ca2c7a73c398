import Foundation
import GRDB
import Payments

/// The write path of Positive Pay on SQLite, as `LedgerPlanWriter` is the ledger's: persists a
/// `CheckPlan` inside the caller's transaction with multi-row statements. It decides nothing: a
/// check, exception or decision no longer as the plan read it refuses the whole plan.
enum CheckPlanWriter {
    /// A check plan in one go: new rows, then updates checked by version and placement (a row not as
    /// read refuses the plan), then history.
    static func persist(_ plan: CheckPlan, _ db: Database) throws {
        try LedgerPlanWriter.insertRows(db, into: """
            check_issues (id, merchant_id, account_id, serial, amount_cents, issue_date, payee, metadata, idempotency_key, fingerprint,
                          state, version, failure_code, failure_message, issue_file_id, issue_file_line, void_requested_at,
                          void_file_id, void_file_line, paid_on, created_at, updated_at, response_body)
            """, columns: 23, rows: plan.newChecks.map { new in
                let c = new.check
                return [c.id, c.merchantID, c.accountID, c.serial].map(\.databaseValue)
                    + [c.amount.databaseValue, c.issueDate.description.databaseValue, c.payee.databaseValue,
                       CanonicalJSON.object(c.metadata).databaseValue, c.idempotencyKey.databaseValue, new.fingerprint.databaseValue]
                    + lifecycleValues(c) + [SQLiteStore.milliseconds(c.createdAt).databaseValue, SQLiteStore.milliseconds(c.updatedAt).databaseValue,
                                            new.response.map { String(decoding: $0, as: UTF8.self) }.databaseValue]
            })
        let update = try db.cachedStatement(sql: """
            UPDATE check_issues SET state = ?, version = ?, failure_code = ?, failure_message = ?, issue_file_id = ?, issue_file_line = ?,
                void_requested_at = ?, void_file_id = ?, void_file_line = ?, paid_on = ?, updated_at = ?
            WHERE id = ? AND version = ? AND issue_file_id IS ? AND void_file_id IS ?
            """)
        for change in plan.updates {
            let c = change.check
            try update.execute(arguments: StatementArguments(lifecycleValues(c) + [
                SQLiteStore.milliseconds(c.updatedAt).databaseValue, c.id.databaseValue, change.expectedVersion.databaseValue,
                change.expectedIssueFileID.databaseValue, change.expectedVoidFileID.databaseValue,
            ]))
            guard db.changesCount == 1 else {
                throw StoreError(.conflict, "check \(c.id) changed since it was read; nothing was written")
            }
        }
        try LedgerPlanWriter.insertHistory(plan.history, into: "check_history", requestColumn: "check_id", db)
        try LedgerPlanWriter.insertRows(db, into: """
            check_exceptions (id, bank_reference, merchant_id, account_id, check_id, serial, presented_cents, issued_cents,
                              presented_payee, reason, default_decision, deadline, status, source_file, source_line, created_at)
            """, columns: 16, rows: plan.newExceptions.map(exceptionValues))
        let exceptionChange = try db.cachedStatement(sql: "UPDATE check_exceptions SET status = ? WHERE id = ? AND status = ?")
        for change in plan.exceptionChanges {
            try exceptionChange.execute(arguments: [change.to.rawValue, change.exceptionID, change.from.rawValue])
            guard db.changesCount == 1 else {
                throw StoreError(.conflict, "exception \(change.exceptionID) is no longer \(change.from.rawValue); nothing was written")
            }
        }
        try LedgerPlanWriter.insertRows(db, into: """
            check_decisions (id, exception_id, merchant_id, decision, return_reason, state, version, failure_code, failure_message,
                             file_id, file_line, updated_at, created_at)
            """, columns: 13, rows: plan.newDecisions.map { d in
                [d.id, d.exceptionID, d.merchantID, d.decision.rawValue].map(\.databaseValue)
                    + [d.returnReason.databaseValue] + decisionLifecycle(d) + [SQLiteStore.milliseconds(d.createdAt).databaseValue]
            })
        let decisionUpdate = try db.cachedStatement(sql: """
            UPDATE check_decisions SET state = ?, version = ?, failure_code = ?, failure_message = ?, file_id = ?, file_line = ?,
                updated_at = ?
            WHERE id = ? AND version = ? AND file_id IS ?
            """)
        for change in plan.decisionUpdates {
            try decisionUpdate.execute(arguments: StatementArguments(decisionLifecycle(change.decision) + [
                change.decision.id.databaseValue, change.expectedVersion.databaseValue, change.expectedFileID.databaseValue,
            ]))
            guard db.changesCount == 1 else {
                throw StoreError(.conflict, "decision \(change.decision.id) changed since it was read; nothing was written")
            }
        }
        try LedgerPlanWriter.insertHistory(plan.decisionHistory, into: "decision_history", requestColumn: "decision_id", db)
        try LedgerPlanWriter.insertEvents(plan.events, db)
        for transition in plan.fileTransitions {
            let at = SQLiteStore.milliseconds(transition.at)
            try db.execute(sql: """
                UPDATE check_issues SET state = ?, version = version + 1, updated_at = ? WHERE issue_file_id = ? AND state = ?
                """, arguments: [transition.to.rawValue, at, transition.fileID, transition.from.rawValue])
            guard db.changesCount == transition.count else {
                throw StoreError(.conflict, "\(transition.count - db.changesCount) checks of file \(transition.fileID) changed since they were read")
            }
            try db.execute(sql: """
                INSERT INTO check_history (check_id, version, from_state, to_state, actor, reason_code, reason_text, source_file,
                                           source_line, created_at, change_set)
                SELECT id, version, ?, ?, ?, ?, ?, ?, issue_file_line, ?, ? FROM check_issues WHERE issue_file_id = ?
                """, arguments: [transition.from.rawValue, transition.to.rawValue, transition.actor.rawValue, transition.reasonCode,
                                 transition.reasonText, transition.source.file, at, try AuditChangeSet.value(db, for: "check_history"), transition.fileID])
        }
    }

    /// State, version, failure, file record and the time of a decision, as both of its statements write them.
    private static func decisionLifecycle(_ d: ExceptionDecision) -> [DatabaseValue] {
        [d.state.rawValue.databaseValue, d.version.databaseValue, d.failure?.code.databaseValue ?? .null,
         d.failure?.message.databaseValue ?? .null, d.record?.fileID.databaseValue ?? .null, d.record?.line.databaseValue ?? .null,
         SQLiteStore.milliseconds(d.updatedAt).databaseValue]
    }

    /// An exception row in the column order of `CheckException.columnList`.
    private static func exceptionValues(_ e: CheckException) -> [DatabaseValue] {
        let identity: [DatabaseValue] = [e.id, e.bankReference, e.merchantID, e.accountID].map(\.databaseValue)
        let presented: [DatabaseValue] = [e.checkID.databaseValue, e.serial.databaseValue, e.presentedAmount.databaseValue,
                                          e.issuedAmount.databaseValue, e.presentedPayee.databaseValue]
        let terms: [DatabaseValue] = [e.reason.rawValue.databaseValue, e.defaultDecision.rawValue.databaseValue,
                                      SQLiteStore.milliseconds(e.deadline).databaseValue, e.status.rawValue.databaseValue]
        let origin: [DatabaseValue] = [e.source.file.databaseValue, e.source.line.databaseValue, SQLiteStore.milliseconds(e.createdAt).databaseValue]
        return identity + presented + terms + origin
    }

    /// State, version, failure and placements, in the column order both statements use.
    private static func lifecycleValues(_ c: CheckIssue) -> [DatabaseValue] {
        [c.state.rawValue.databaseValue, c.version.databaseValue, c.failure?.code.databaseValue ?? .null,
         c.failure?.message.databaseValue ?? .null, c.issueRecord?.fileID.databaseValue ?? .null,
         c.issueRecord?.line.databaseValue ?? .null, c.voidRequestedAt.map(SQLiteStore.milliseconds).databaseValue,
         c.voidRecord?.fileID.databaseValue ?? .null, c.voidRecord?.line.databaseValue ?? .null, c.paidOn?.description.databaseValue ?? .null]
    }
}

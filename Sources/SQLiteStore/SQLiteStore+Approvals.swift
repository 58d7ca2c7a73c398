import Foundation
import GRDB
import Payments

extension SQLiteStore: ApprovalStore {
    public func approvals(subjectIDs: [String]?) async throws -> [Approval] {
        try await read("reading approvals") { db in
            guard let subjectIDs else {
                return try Row.fetchAll(db, sql: "SELECT \(Approval.columnList) FROM approvals ORDER BY created_at, id").map(Approval.init(_:))
            }
            return try Row.fetchAll(db, sql: """
                SELECT \(Approval.columnList) FROM approvals WHERE subject_id IN (SELECT value FROM json_each(?)) ORDER BY subject_id, ordinal
                """, arguments: [try Self.jsonList(subjectIDs)]).map(Approval.init(_:))
        }
    }

    public func fileMakers(fileID: String) async throws -> Set<String> {
        try await read("reading who made a file's items") { db in
            Set(try String.fetchAll(db, sql: Self.fileMakersQuery, arguments: [fileID]))
        }
    }

    /// The actors of the rows that made a file's items: each payment's and issued check's first
    /// row, each void's request, each decision's first row.
    private static let fileMakersQuery = """
        SELECT h.actor FROM payment_history AS h JOIN payments AS p ON p.id = h.payment_id
            WHERE p.file_id = ?1 AND h.from_state IS NULL
        UNION SELECT h.actor FROM check_history AS h JOIN check_issues AS c ON c.id = h.check_id
            WHERE (c.issue_file_id = ?1 AND h.from_state IS NULL) OR (c.void_file_id = ?1 AND h.reason_code = 'void_requested')
        UNION SELECT h.actor FROM decision_history AS h JOIN check_decisions AS d ON d.id = h.decision_id
            WHERE d.file_id = ?1 AND h.from_state IS NULL
        """
}

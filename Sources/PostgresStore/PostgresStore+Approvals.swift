import Foundation
import Payments
import PostgresNIO

extension PostgresStore: ApprovalStore {
    public func approvals(subjectIDs: [String]?) async throws -> [Approval] {
        try await read("reading approvals") { session in
            guard let subjectIDs else {
                return try await session.rows("SELECT \(unescaped: Approval.columnList) FROM approvals ORDER BY created_at, id")
                    .map(Approval.init(_:))
            }
            return try await session.rows("""
                SELECT \(unescaped: Approval.columnList) FROM approvals WHERE subject_id = ANY(\(subjectIDs)) ORDER BY subject_id, ordinal
                """).map(Approval.init(_:))
        }
    }

    /// The actors of the rows that made a file's items: each payment's and issued check's first
    /// row, each void's request, each decision's first row.
    public func fileMakers(fileID: String) async throws -> Set<String> {
        try await read("reading who made a file's items") { session in
            Set(try await session.rows("""
                SELECT h.actor FROM payment_history AS h JOIN payments AS p ON p.id = h.payment_id
                    WHERE p.file_id = \(fileID) AND h.from_state IS NULL
                UNION SELECT h.actor FROM check_history AS h JOIN check_issues AS c ON c.id = h.check_id
                    WHERE (c.issue_file_id = \(fileID) AND h.from_state IS NULL) OR (c.void_file_id = \(fileID) AND h.reason_code = 'void_requested')
                UNION SELECT h.actor FROM decision_history AS h JOIN check_decisions AS d ON d.id = h.decision_id
                    WHERE d.file_id = \(fileID) AND h.from_state IS NULL
                """).map { row in try row.decode(String.self) })
        }
    }
}

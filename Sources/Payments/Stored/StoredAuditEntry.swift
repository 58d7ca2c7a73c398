import Foundation

extension AuditEntry: StoredModel {
    public static let storedColumns = ["sequence", "created_at", "actor", "action", "subjects", "detail", "change_set", "row_count",
                                       "rows_digest", "previous_hash", "hash"]

    /// The subjects as stored: a JSON array of ids.
    public var storedSubjects: String { String(decoding: (try? JSONEncoder().encode(subjects)) ?? Data("[]".utf8), as: UTF8.self) }

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let table = "audit_log"
        let sequence = try row.int64(), at = try row.date(), actor = try row.string()
        let action: AuditAction = try row.decode(table, "action")
        let subjectsText = try row.string()
        guard let subjects = try? JSONDecoder().decode([String].self, from: Data(subjectsText.utf8)) else {
            throw StoredColumn.undecodable(table, "subjects", subjectsText)
        }
        self.init(sequence: sequence, at: at, actor: actor, action: action, subjects: subjects, detail: try row.string(),
                  changeSet: try row.string(), rowCount: try row.int(), rowsDigest: try row.string(), previousHash: try row.string(),
                  hash: try row.string())
    }
}

import Foundation

extension AuditEntry: StoredModel {
    public static let storedColumns = ["sequence", "created_at", "actor", "action", "subjects", "detail", "change_set", "row_count",
                                       "rows_digest", "previous_hash", "hash"]

    /// The subjects as stored: a JSON array of ids, written by hand (an encoder per entry cost more
    /// than the rest of the append).
    public var storedSubjects: String {
        "[" + subjects.map { subject in
            var quoted = "\""
            for scalar in subject.unicodeScalars {
                switch scalar {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                case _ where scalar.value < 0x20: quoted += String(format: "\\u%04x", scalar.value)
                default: quoted.unicodeScalars.append(scalar)
                }
            }
            return quoted + "\""
        }.joined(separator: ",") + "]"
    }

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

extension Approval: StoredModel {
    public static let storedColumns = ["id", "subject", "subject_id", "ordinal", "operator", "decision", "sha256", "reason", "created_at"]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let table = "approvals"
        let id = try row.string()
        let subject: Subject = try row.decode(table, "subject")
        let subjectID = try row.string(), ordinal = try row.int(), name = try row.string()
        let decision: Decision = try row.decode(table, "decision")
        self.init(id: id, subject: subject, subjectID: subjectID, ordinal: ordinal, operatorName: name, decision: decision,
                  sha256: try row.string(), reason: try row.optionalString(), at: try row.date())
    }
}

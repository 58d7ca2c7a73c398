extension ExceptionDecision: StoredModel {
    public static let storedColumns = [
        "id", "exception_id", "merchant_id", "decision", "return_reason", "state", "version", "failure_code", "failure_message", "file_id",
        "file_line", "created_at", "updated_at",
    ]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let table = "check_decisions"
        let id = try row.string(), exceptionID = try row.string(), merchantID = try row.string()
        let decision: CheckException.Decision = try row.decode(table, "decision")
        let returnReason = try row.optionalString()
        let state: PaymentState = try row.decode(table, "state")
        let version = try row.int(), failureCode = try row.optionalString(), failureMessage = try row.optionalString()
        let file = try row.optionalString(), line = try row.optionalInt()
        self.init(id: id, exceptionID: exceptionID, merchantID: merchantID, decision: decision, returnReason: returnReason, state: state,
                  version: version, failure: failureCode.map { Failure(code: $0, message: failureMessage ?? "") },
                  record: file.map { CheckIssue.Placement(fileID: $0, line: line ?? 0) }, createdAt: try row.date(), updatedAt: try row.date())
    }
}

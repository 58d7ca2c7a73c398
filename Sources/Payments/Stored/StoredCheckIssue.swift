extension CheckIssue: StoredModel {
    public static let storedColumns = [
        "id", "merchant_id", "account_id", "serial", "amount_cents", "issue_date", "payee", "metadata", "idempotency_key", "state", "version",
        "failure_code", "failure_message", "issue_file_id", "issue_file_line", "void_requested_at", "void_file_id", "void_file_line",
        "created_at", "updated_at", "paid_on",
    ]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let table = "check_issues"
        let id = try row.string(), merchantID = try row.string(), accountID = try row.string(), serial = try row.string()
        let amount = try row.int64(), issueDate = try row.day(table, "issue_date"), payee = try row.string()
        let metadata = try row.object(table, "metadata"), key = try row.string()
        let state: PaymentState = try row.decode(table, "state")
        let version = try row.int(), failureCode = try row.optionalString(), failureMessage = try row.optionalString()
        let issueFile = try row.optionalString(), issueLine = try row.optionalInt(), voidRequested = try row.optionalDate()
        let voidFile = try row.optionalString(), voidLine = try row.optionalInt()
        let createdAt = try row.date(), updatedAt = try row.date(), paidOn = try row.dayIfPresent(table, "paid_on")
        self.init(id: id, merchantID: merchantID, accountID: accountID, serial: serial, amount: amount, issueDate: issueDate, payee: payee,
                  metadata: metadata, idempotencyKey: key, state: state, version: version,
                  failure: failureCode.map { Failure(code: $0, message: failureMessage ?? "") },
                  issueRecord: issueFile.map { Placement(fileID: $0, line: issueLine ?? 0) }, voidRequestedAt: voidRequested,
                  voidRecord: voidFile.map { Placement(fileID: $0, line: voidLine ?? 0) }, paidOn: paidOn, createdAt: createdAt,
                  updatedAt: updatedAt)
    }
}

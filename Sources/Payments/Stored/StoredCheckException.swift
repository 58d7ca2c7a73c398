extension CheckException: StoredModel {
    public static let storedColumns = [
        "id", "bank_reference", "merchant_id", "account_id", "check_id", "serial", "presented_cents", "issued_cents", "presented_payee",
        "reason", "default_decision", "deadline", "status", "source_file", "source_line", "created_at",
    ]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let table = "check_exceptions"
        let id = try row.string(), reference = try row.string(), merchantID = try row.string(), accountID = try row.string()
        let checkID = try row.optionalString(), serial = try row.string(), presented = try row.int64(), issued = try row.optionalInt64()
        let payee = try row.string()
        let reason: Reason = try row.decode(table, "reason")
        let defaultDecision: Decision = try row.decode(table, "default_decision")
        let deadline = try row.date()
        let status: Status = try row.decode(table, "status")
        let file = try row.optionalString(), line = try row.optionalInt()
        // Every exception came from a line of the bank's file.
        guard let source = try StoredColumn.source(file: file, line: line, table: table) else { throw StoredColumn.undecodable(table, "source_file", "") }
        self.init(id: id, bankReference: reference, merchantID: merchantID, accountID: accountID, checkID: checkID, serial: serial,
                  presentedAmount: presented, issuedAmount: issued, presentedPayee: payee, reason: reason, defaultDecision: defaultDecision,
                  deadline: deadline, status: status, source: source, createdAt: try row.date())
    }
}

import NACHA

extension Payment: StoredModel {
    public static let storedColumns = [
        "id", "merchant_id", "state", "version", "amount_cents", "currency", "direction", "sec_code", "description", "effective_date",
        "counterparty_name", "routing_number", "account_number", "account_type", "metadata", "idempotency_key", "reserved_cents",
        "failure_code", "failure_message", "created_at", "updated_at", "file_id", "batch_number", "trace_number", "file_line",
        "entry_effective_date", "settlement", "profile", "approvals_required", "approvals_given",
    ]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let table = "payments"
        let id = try row.string(), merchantID = try row.string()
        let state: PaymentState = try row.decode(table, "state")
        let version = try row.int(), amount = try row.int64(), currency = try row.string()
        let direction: Direction = try row.decode(table, "direction")
        let secCode = StandardEntryClass(rawValue: try row.string()), description = try row.string()
        let effectiveDate = try row.day(table, "effective_date")
        let name = try row.string(), routing = try row.string(), account = try row.string()
        let accountType: AccountType = try row.decode(table, "account_type")
        let metadata = try row.object(table, "metadata"), key = try row.string(), reserved = try row.int64()
        let failureCode = try row.optionalString(), failureMessage = try row.optionalString()
        let createdAt = try row.date(), updatedAt = try row.date()
        let fileID = try row.optionalString(), batch = try row.optionalInt(), trace = try row.optionalInt(), line = try row.optionalInt()
        let entryDate = try row.dayIfPresent(table, "entry_effective_date")
        let settlement: Settlement = try row.decode(table, "settlement")
        let profile = try row.optionalString()
        let approvalsRequired = try row.int(), approvalsGiven = try row.int()
        self.init(
            id: id, merchantID: merchantID, state: state, version: version, amount: amount, currency: currency, direction: direction,
            secCode: secCode, description: description, effectiveDate: effectiveDate,
            counterparty: Counterparty(name: name, routingNumber: routing, accountNumber: account, accountType: accountType),
            metadata: metadata, idempotencyKey: key, reservedAmount: reserved,
            failure: failureCode.map { Failure(code: $0, message: failureMessage ?? "") }, createdAt: createdAt, updatedAt: updatedAt,
            submission: fileID.map { Submission(fileID: $0, batchNumber: batch ?? 0, traceNumber: trace ?? 0, line: line ?? 0,
                                                entryEffectiveDate: entryDate) },
            settlement: settlement, profile: profile,
            approval: approvalsRequired > 0 ? ApprovalCount(required: approvalsRequired, given: approvalsGiven) : nil)
    }
}

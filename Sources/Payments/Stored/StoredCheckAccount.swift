extension CheckAccount: StoredModel {
    public static let storedColumns = ["id", "merchant_id", "routing_number", "account_number", "layout", "payee_match", "created_at", "disabled_at"]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        self.init(id: try row.string(), merchantID: try row.string(), routingNumber: try row.string(), accountNumber: try row.string(),
                  layout: try row.decode("check_accounts", "layout"), payeeMatch: try row.int() == 1, createdAt: try row.date(),
                  disabledAt: try row.optionalDate())
    }
}

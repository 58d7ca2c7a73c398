extension Merchant: StoredModel {
    public static let storedColumns = ["id", "name", "company_id", "company_name", "balance_cents", "created_at"]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        self.init(id: try row.string(), name: try row.string(), companyID: try row.string(), companyName: try row.string(),
                  balance: try row.int64(), createdAt: try row.date())
    }
}

extension APIKey: StoredModel {
    public static let storedColumns = ["id", "merchant_id", "hint", "created_at", "revoked_at"]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        self.init(id: try row.string(), merchantID: try row.string(), hint: try row.string(), createdAt: try row.date(),
                  revokedAt: try row.optionalDate())
    }
}

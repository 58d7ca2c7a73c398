extension DeliveryFailure: StoredModel {
    public static let storedColumns = ["file_id", "failed_at", "error"]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        self.init(fileID: try row.string(), at: try row.date(), error: try row.string())
    }
}

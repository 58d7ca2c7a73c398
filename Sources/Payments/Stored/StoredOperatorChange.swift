extension OperatorChange: StoredModel {
    public static let storedColumns = ["operator_id", "version", "actor", "change", "created_at"]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        self.init(operatorID: try row.string(), version: try row.int(), actor: Actor(rawValue: try row.string()), change: try row.string(),
                  at: try row.date())
    }
}

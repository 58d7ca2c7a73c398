extension HistoryEntry: StoredModel {
    /// A history table's columns, its request column read as `payment_id` (each request kind's
    /// history table names it so).
    public static let storedColumns = [
        "payment_id", "version", "from_state", "to_state", "actor", "reason_code", "reason_text", "source_file", "source_line", "created_at",
    ]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        try self.init(requestID: try row.string(), rest: &row)
    }

    /// The columns after the request's, read from the table aliased `alias`: a history row joined
    /// to its request, whose id the request's own columns hold.
    public static func columnListAfterRequest(qualifiedBy alias: String) -> String {
        storedColumns.dropFirst().map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    /// A history row whose request id was read elsewhere; the next cells are those of `columnListAfterRequest(qualifiedBy:)`.
    public init<Row: StoredRow>(requestID: String, rest row: inout Row) throws {
        let table = "history"
        let version = try row.int()
        let from: PaymentState? = try row.decodeIfPresent(table, "from_state")
        let to: PaymentState = try row.decode(table, "to_state")
        let actor = Actor(rawValue: try row.string()), code = try row.string(), text = try row.string()
        let source = try StoredColumn.source(file: try row.optionalString(), line: try row.optionalInt(), table: table)
        self.init(requestID: requestID, version: version, fromState: from, toState: to, actor: actor, reasonCode: code, reasonText: text,
                  source: source, createdAt: try row.date())
    }
}

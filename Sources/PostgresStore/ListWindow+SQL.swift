import Payments

/// A list window's values as the list queries bind them, and its order as SQL.
extension ListWindow {
    var sinceMilliseconds: Int64? { since.map(PostgresStore.milliseconds) }
    var untilMilliseconds: Int64? { until.map(PostgresStore.milliseconds) }
    /// How an id past the cursor compares with it in this order.
    var cursorComparison: String { newestFirst ? "<" : ">" }
    var order: String { newestFirst ? "DESC" : "ASC" }
}

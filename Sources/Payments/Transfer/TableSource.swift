/// A store whose tables can be read out whole, a page at a time: the source of `metl migrate-store`.
public protocol TableSource: Sendable {
    /// Up to `limit` rows of `table` after the first `offset`, in key order, with `columns` in that order.
    func rows(of table: LedgerTable, columns: [String], offset: Int, limit: Int) async throws -> [[StoredValue]]
}

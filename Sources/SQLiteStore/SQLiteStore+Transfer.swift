import GRDB
import Payments

extension SQLiteStore: TableSource {
    public func rows(of table: LedgerTable, columns: [String], offset: Int, limit: Int) async throws -> [[StoredValue]] {
        // Names come from `LedgerTable` and the target's own catalogue, never from input.
        let sql = "SELECT \(columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.key.joined(separator: ", ")) LIMIT ? OFFSET ?"
        return try await read("reading \(table.name)") { db in
            try Row.fetchAll(db, sql: sql, arguments: [limit, offset]).map { row in
                try row.databaseValues.map { value throws -> StoredValue in
                    switch value.storage {
                    case .null: return .null
                    case .int64(let number): return .integer(number)
                    case .string(let text): return .text(text)
                    case .double, .blob: throw StoreError(.unavailable, "\(table.name) holds a value that is neither integer nor text")
                    }
                }
            }
        }
    }
}

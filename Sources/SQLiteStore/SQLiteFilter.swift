import Foundation
import GRDB
import Payments

extension SQLiteStore {
    /// `values` as one JSON array argument, which `IN (SELECT value FROM json_each(?))` reads: a
    /// list of any length in one statement.
    static func jsonList(_ values: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }
}

/// A list query's WHERE clause, built from the filters a caller set (an unset one adds nothing),
/// and the window's range, cursor, order and limit.
struct SQLiteFilter {
    private var conditions: [String] = []
    private(set) var arguments: StatementArguments = []

    /// Adds `condition` (with one `?`) when `value` is set.
    mutating func add(_ condition: String, _ value: (any DatabaseValueConvertible)?) {
        guard let value else { return }
        add(condition, binding: [value])
    }

    /// Adds `condition` with one `?` per value in `values`.
    mutating func add(_ condition: String, binding values: [any DatabaseValueConvertible]) {
        conditions.append(condition)
        arguments += StatementArguments(values)
    }

    mutating func add(_ condition: String) { conditions.append(condition) }

    /// The window's creation range (on `created_at`) and cursor (on `id`).
    mutating func add(_ window: ListWindow) {
        add("created_at >= ?", window.since.map(SQLiteStore.milliseconds))
        add("created_at < ?", window.until.map(SQLiteStore.milliseconds))
        add(window.newestFirst ? "id < ?" : "id > ?", window.afterID)
    }

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }

    /// `ORDER BY id … LIMIT ?`, its argument appended.
    mutating func orderAndLimit(_ window: ListWindow) -> String {
        arguments += [window.limit]
        return "ORDER BY id \(window.newestFirst ? "DESC" : "ASC") LIMIT ?"
    }
}

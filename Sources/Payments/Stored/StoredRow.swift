import Foundation
import NACHA

/// One row a store read, its cells taken in select order. Each store adapts its own row type
/// (GRDB's `Row`, postgres-nio's `PostgresRow`), so every model is decoded by one codec
/// (`StoredModel`) for both, and a value that does not decode is a `StoreError`, never a default.
public protocol StoredRow {
    mutating func string() throws -> String
    mutating func optionalString() throws -> String?
    mutating func int() throws -> Int
    mutating func optionalInt() throws -> Int?
    mutating func int64() throws -> Int64
    mutating func optionalInt64() throws -> Int64?
    mutating func bool() throws -> Bool
}

extension StoredRow {
    /// The enum case stored in `table.column`.
    mutating func decode<Value: RawRepresentable>(_ table: String, _ column: String) throws -> Value where Value.RawValue == String {
        try StoredColumn.decode(try string(), table: table, column: column)
    }

    /// The optional enum case stored in `table.column`: nil stays nil, an unknown value throws.
    mutating func decodeIfPresent<Value: RawRepresentable>(_ table: String, _ column: String) throws -> Value? where Value.RawValue == String {
        try StoredColumn.decode(ifPresent: try optionalString(), table: table, column: column)
    }

    /// The `YYYY-MM-DD` day stored in `table.column`.
    mutating func day(_ table: String, _ column: String) throws -> ACHDate {
        try StoredColumn.day(try string(), table: table, column: column)
    }

    mutating func dayIfPresent(_ table: String, _ column: String) throws -> ACHDate? {
        try StoredColumn.day(ifPresent: try optionalString(), table: table, column: column)
    }

    /// A time stored as milliseconds since 1970.
    mutating func date() throws -> Date { StoredTime.date(try int64()) }

    mutating func optionalDate() throws -> Date? { try optionalInt64().map(StoredTime.date) }

    /// A JSON object of strings stored as text (metadata).
    mutating func object(_ table: String, _ column: String) throws -> [String: String] {
        let text = try string()
        guard let object = CanonicalJSON.parseObject(text) ?? (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) else {
            throw StoredColumn.undecodable(table, column, text)
        }
        return object
    }
}

/// A model as stored: its columns, in the order its codec reads them.
public protocol StoredModel {
    /// The columns `init(stored:)` reads, in order, as a SELECT lists them.
    static var storedColumns: [String] { get }
    init<Row: StoredRow>(stored row: inout Row) throws
}

extension StoredModel {
    /// `storedColumns` as a SELECT list.
    public static var columnList: String { storedColumns.joined(separator: ", ") }

    /// `storedColumns` read from the table aliased `alias` in a join.
    public static func columnList(qualifiedBy alias: String) -> String {
        storedColumns.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    /// Decodes a whole row.
    public init<Row: StoredRow>(stored row: Row) throws {
        var row = row
        try self.init(stored: &row)
    }
}

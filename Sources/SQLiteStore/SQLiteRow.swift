import GRDB
import Payments

/// A GRDB row read in select order, for the models' codecs (`StoredModel`).
struct SQLiteRow: StoredRow {
    private let row: Row
    private var index = 0

    init(_ row: Row) { self.row = row }

    /// The next cell's index, refused past the last column.
    private mutating func next() throws -> Int {
        guard index < row.count else { throw StoreError(.unavailable, "a row has fewer columns than the store reads") }
        defer { index += 1 }
        return index
    }

    // Each type by name, so GRDB's fast path for its column types (`StatementColumnConvertible`) is taken.
    mutating func string() throws -> String { try row.decode(String.self, atIndex: try next()) }
    mutating func optionalString() throws -> String? { try row.decode(String?.self, atIndex: try next()) }
    mutating func int() throws -> Int { try row.decode(Int.self, atIndex: try next()) }
    mutating func optionalInt() throws -> Int? { try row.decode(Int?.self, atIndex: try next()) }
    mutating func int64() throws -> Int64 { try row.decode(Int64.self, atIndex: try next()) }
    mutating func optionalInt64() throws -> Int64? { try row.decode(Int64?.self, atIndex: try next()) }
    mutating func bool() throws -> Bool { try row.decode(Bool.self, atIndex: try next()) }
}

extension StoredModel {
    /// The model a whole GRDB row holds, its columns `storedColumns`.
    init(_ row: Row) throws { try self.init(stored: SQLiteRow(row)) }
}

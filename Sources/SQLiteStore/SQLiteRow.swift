import GRDB
import Payments

/// A GRDB row read in select order, for the models' codecs (`StoredModel`).
struct SQLiteRow: StoredRow {
    private let row: Row
    private var index = 0

    init(_ row: Row) { self.row = row }

    private mutating func next<Value: DatabaseValueConvertible>(_: Value.Type = Value.self) throws -> Value {
        guard index < row.count else { throw StoreError(.unavailable, "a row has fewer columns than the store reads") }
        defer { index += 1 }
        return try row.decode(Value.self, atIndex: index)
    }

    mutating func string() throws -> String { try next() }
    mutating func optionalString() throws -> String? { try next() }
    mutating func int() throws -> Int { try next() }
    mutating func optionalInt() throws -> Int? { try next() }
    mutating func int64() throws -> Int64 { try next() }
    mutating func optionalInt64() throws -> Int64? { try next() }
    mutating func bool() throws -> Bool { try next() }
}

extension StoredModel {
    /// The model a whole GRDB row holds, its columns `storedColumns`.
    init(_ row: Row) throws { try self.init(stored: SQLiteRow(row)) }
}

import Payments
import PostgresNIO

/// A row's cells read in select order, each decoded as the type the reader asks for; the models'
/// codecs (`StoredModel`) read them.
struct Cells: StoredRow {
    private var iterator: PostgresRow.Iterator

    init(_ row: PostgresRow) { iterator = row.makeIterator() }

    mutating func next<T: PostgresDecodable>(_: T.Type = T.self) throws -> T {
        guard let cell = iterator.next() else { throw StoreError(.unavailable, "a row has fewer columns than the store reads") }
        return try cell.decode(T.self)
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
    /// The model a whole row holds, its columns `storedColumns`.
    init(_ row: PostgresRow) throws { try self.init(stored: Cells(row)) }
}

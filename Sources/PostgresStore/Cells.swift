import Payments
import PostgresNIO

/// A row's cells read in select order, each decoded as the type the reader asks for.
struct Cells {
    private var iterator: PostgresRow.Iterator

    init(_ row: PostgresRow) { iterator = row.makeIterator() }

    mutating func next<T: PostgresDecodable>(_: T.Type = T.self) throws -> T {
        guard let cell = iterator.next() else { throw StoreError(.unavailable, "a row has fewer columns than the store reads") }
        return try cell.decode(T.self)
    }
}

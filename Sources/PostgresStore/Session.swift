import Logging
import PostgresNIO

/// One pooled connection, inside a transaction or not, with the three ways the store uses it.
struct Session {
    let connection: PostgresConnection
    let logger: Logger

    /// Every row a query returns, collected.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).get().rows
    }

    /// Runs a statement; returns how many rows it inserted, updated or deleted.
    @discardableResult
    func count(_ query: PostgresQuery) async throws -> Int {
        try await connection.query(query, logger: logger).get().metadata.rows ?? 0
    }

    /// The first column of the first row, or nil when there is no row.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
        guard let row = try await rows(query).first else { return nil }
        return try row.decode(T.self)
    }
}

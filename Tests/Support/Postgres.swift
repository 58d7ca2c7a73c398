import Foundation
import Logging
import Payments
import PostgresNIO
import PostgresStore

/// The PostgreSQL server the tests run against: `scripts/with-postgres.sh` (run by `make test`)
/// starts a throwaway one and sets `METL_TEST_POSTGRES_URL`. Without it the PostgreSQL tests are
/// skipped, and say so.
public enum TestPostgres {
    public static let url: String? = ProcessInfo.processInfo.environment["METL_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    public static var isAvailable: Bool { url != nil }
    /// The CA that signed the test server's TLS certificate (for 127.0.0.1), when it takes TLS.
    public static let certificateAuthority: String? = ProcessInfo.processInfo.environment["METL_TEST_POSTGRES_CA"]
        .flatMap { $0.isEmpty ? nil : $0 }
    public static let skipped = "METL_TEST_POSTGRES_URL is not set: run `make test`, which starts a PostgreSQL server"

    /// A new, empty database on the test server.
    public static func freshDatabase() async throws -> PostgresLocation {
        guard let url else { throw StoreError(.unavailable, "no test PostgreSQL server (METL_TEST_POSTGRES_URL)") }
        return try await freshDatabase(on: PostgresLocation(url: url))
    }

    /// `database` under a login of its own that must give a password (scripts/with-postgres.sh puts
    /// members of `metl_password_login` on password authentication): the location, password included.
    public static func passwordLogin(to database: PostgresLocation) async throws -> PostgresLocation {
        let name = "metl_login_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let password = UUID().uuidString
        let configuration = PostgresConnection.Configuration(host: database.host, port: database.port, username: database.username,
                                                             password: database.password, database: database.database, tls: .disable)
        let logger = TestLog.logger("metl.test.postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
        do {
            // Names and password are ours (letters, digits, hyphens, underscores): safe to splice into DDL.
            for statement in ["CREATE ROLE \(name) LOGIN PASSWORD '\(password)' IN ROLE metl_password_login",
                              "ALTER DATABASE \(database.database) OWNER TO \(name)"] {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).get()
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        var location = database
        location.username = name
        location.password = password
        return location
    }

    /// A new, empty database on `server`, whose own database is used to create it.
    public static func freshDatabase(on server: PostgresLocation) async throws -> PostgresLocation {
        let name = "metl_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let configuration = PostgresConnection.Configuration(host: server.host, port: server.port, username: server.username,
                                                             password: server.password, database: server.database, tls: .disable)
        let logger = TestLog.logger("metl.test.postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            // The name is ours (letters, digits, underscores): safe to splice into DDL.
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger).get()
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        var location = server
        location.database = name
        return location
    }
}

/// A fresh PostgreSQL database. Every `open` is another pool of connections to it, as another
/// process or machine would have.
public struct TemporaryPostgresDatabase: StoreDatabase {
    public let location: PostgresLocation

    public init() async throws { location = try await TestPostgres.freshDatabase() }

    public func open(faults: FaultInjector) async throws -> any LedgerStore {
        TestLog.bootstrap
        return try await PostgresStore.connect(location, maximumConnections: 8, faults: faults)
    }

    public func tamper(_ sql: String) async throws {
        let configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.username,
                                                             password: location.password, database: location.database, tls: .disable)
        let logger = TestLog.logger("metl.test.postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).get()
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

import Foundation
import Logging
import Payments
import PostgresStore
import SQLiteStore

extension Settings {
    /// What a command does with the database, which decides whether a missing SQLite file is created.
    public enum DatabaseAccess: Sendable {
        /// Shows what is stored: a SQLite file that is not there is refused, never created empty.
        case reading
        /// Records something: a new SQLite file is created, and the user told once.
        case writing
    }

    /// The database as it may be shown: a PostgreSQL URL without its password.
    public var databaseDescription: String {
        guard PostgresLocation.isURL(database) else { return database }
        return (try? PostgresLocation(url: database).description) ?? "a PostgreSQL database"
    }

    /// Opens the store `database` names: a `postgres://` URL (its password from the URL, else
    /// `PGPASSWORD`, else the file `METL_DATABASE_PASSWORD_FILE` names) or a SQLite file.
    public func openStore(_ access: DatabaseAccess = .writing, layers: Layers, logger: Logger) async throws -> any LedgerStore {
        guard PostgresLocation.isURL(database) else {
            guard FileManager.default.fileExists(atPath: database) else {
                guard access == .writing else {
                    throw ConfigurationError(.noDatabase, "no database at \(database); pass --database or set METL_DATABASE")
                }
                let store = try SQLiteStore(path: database)
                logger.notice("created the database", metadata: ["path": "\(database)"])
                return store
            }
            return try SQLiteStore(path: database)
        }
        var password = layers.value(nil, "PGPASSWORD")
        if password == nil, let file = layers.value(nil, "METL_DATABASE_PASSWORD_FILE") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError(.unreadableFile, "cannot read the database password file \(file)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: database, password: password)
        } catch {
            throw ConfigurationError(.invalidValue, "--database: \(error)", isUsage: true)
        }
        do {
            return try await PostgresStore.connect(location, logger: logger)
        } catch let error as PostgresLocation.ParseError {
            throw ConfigurationError(.invalidValue, "--database: \(error)")
        } catch let error as StoreError where error.code == .refused && location.password == nil {
            // Say where a password comes from, when none came.
            throw StoreError(.refused, error.message + "; give it in PGPASSWORD or in the file METL_DATABASE_PASSWORD_FILE names")
        }
    }
}

import ArgumentParser
import Foundation
import MetlConfiguration
import Payments
import PostgresStore
import SQLiteStore

/// `metl migrate-store --from PATH --to URL`: moves a SQLite database into an empty PostgreSQL one.
struct MigrateStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "migrate-store", abstract: "Copy a SQLite database into an empty PostgreSQL database, verified table by table.",
        discussion: """
            Stop every metl process using the SQLite file first. The copy is one PostgreSQL transaction: \
            all of it or nothing. Each table is read back and its row count and SHA-256 (rows in key order) \
            compared with the source's. The archive directory is not copied: point METL_ARCHIVE_DIR at it \
            (or a shared copy of it) on every host.
            """)
    @Option(help: "The SQLite database file to copy.") var from: String
    @Option(help: "The PostgreSQL database (postgres:// URL) to copy into; it must be empty.") var to: String
    @OptionGroup var output: OutputOptions

    struct Table: Encodable {
        var table: String
        var rows: Int
        var sha256: String
    }

    func run() async throws {
        guard FileManager.default.fileExists(atPath: from) else {
            throw ConfigurationError(.noDatabase, "no SQLite database at \(from)", isUsage: true)
        }
        guard PostgresLocation.isURL(to) else {
            throw ConfigurationError(.invalidValue, "--to takes a postgres:// URL", isUsage: true)
        }
        let source = try SQLiteStore(path: from)
        var target = Settings()
        target.database = to
        guard let destination = try await target.openStore() as? PostgresStore else {
            throw ConfigurationError(.invalidValue, "--to takes a postgres:// URL", isUsage: true)
        }
        let digests = try await destination.copyTables(from: source)
        let tables = digests.map { Table(table: $0.table, rows: $0.rows, sha256: $0.sha256) }
        if output.json { return try Output.json(tables) }
        for table in tables { Output.line("\(table.table.padding(toLength: 26, withPad: " ", startingAt: 0)) \(Words.count(table.rows, "row"))  sha256 \(table.sha256)") }
        Output.line("copied \(Words.count(tables.reduce(0) { $0 + $1.rows }, "row")) in \(Words.count(tables.count, "table")) into \(target.databaseDescription); every table verified")
    }
}

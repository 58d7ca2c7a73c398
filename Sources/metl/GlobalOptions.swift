import ArgumentParser
import Foundation
import Payments
import PostgresStore
import SQLiteStore

/// Options every database command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite database file, or a postgres:// URL (default: $METL_DATABASE, else ./metl.sqlite).",
                                            discussion: "A PostgreSQL password comes from the URL, $PGPASSWORD or the file $METL_DATABASE_PASSWORD_FILE names."))
    var database: String?

    @Option(name: .long, help: "JSON configuration file (default: $METL_CONFIG).")
    var config: String?

    func settings() throws -> Settings {
        var settings = try Settings.load(configPath: config)
        if let database { settings.database = database }
        return settings
    }

    /// `.reading`: a command that only shows what is stored, which never creates a database.
    func openStore(_ access: Settings.DatabaseAccess = .writing) async throws -> (any LedgerStore, Settings) {
        let settings = try settings()
        return (try await settings.openStore(access), settings)
    }
}

/// `--json`: print the machine-readable document instead of the human view.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON.")
    var json = false
}

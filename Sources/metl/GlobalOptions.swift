import ArgumentParser
import MetlConfiguration
import Foundation
import Payments

extension Layers {
    /// This process's environment under its flags.
    static let process = Layers(environment: ProcessInfo.processInfo.environment)
}

/// Options every database command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite database file, or a postgres:// URL (default: $METL_DATABASE, else ./metl.sqlite).",
                                            discussion: "A PostgreSQL password comes from the URL, $PGPASSWORD or the file $METL_DATABASE_PASSWORD_FILE names."))
    var database: String?

    @Option(name: .long, help: "JSON configuration file (default: $METL_CONFIG).")
    var config: String?

    func settings() throws -> Settings {
        try Settings.load(configPath: config, database: database, environment: Layers.process.environment)
    }

    /// `.reading`: a command that only shows what is stored, which never creates a database.
    func openStore(_ access: Settings.DatabaseAccess = .writing) async throws -> (any LedgerStore, Settings) {
        let settings = try settings()
        return (try await settings.openStore(access), settings)
    }
}

extension Settings {
    /// The store, once the settings were checked whole.
    func openStore(_ access: DatabaseAccess = .writing) async throws -> any LedgerStore {
        try await openStore(access, layers: .process, logger: Log.make("metl.store", json: false))
    }
}

/// `--json`: print the machine-readable document instead of the human view.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON.")
    var json = false
}

extension ParsableArguments {
    /// A count option's check: `-1` reaches it as a value (the option parses unconditionally), and is refused by name.
    func positive(_ value: Int, _ option: String) throws {
        guard value > 0 else { throw ValidationError("\(option) must be a positive number, not \(value)") }
    }
}

import ArgumentParser
import Payments
import Store

/// Options every database command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (default: $METL_DATABASE, else ./metl.sqlite).")
    var database: String?

    @Option(name: .long, help: "JSON configuration file (default: $METL_CONFIG).")
    var config: String?

    func settings() throws -> Settings {
        var settings = try Settings.load(configPath: config)
        if let database { settings.database = database }
        return settings
    }

    func openStore() throws -> (SQLiteStore, Settings) {
        let settings = try settings()
        return (try SQLiteStore(path: settings.database), settings)
    }
}

/// `--json`: print the machine-readable document instead of the human view.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON.")
    var json = false
}

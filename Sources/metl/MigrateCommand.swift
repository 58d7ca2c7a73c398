import ArgumentParser
import Foundation
import Payments

/// `metl migrate`: brings the database's schema up to this build's, and says where it stands.
/// Every command does the same when it opens the database; this one does nothing else, for a
/// deployment step that runs before the new instances start.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "migrate", abstract: "Bring the database schema up to date (instances starting at once take turns).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var database: String
        var schemaVersion: Int
        enum CodingKeys: String, CodingKey { case database, schemaVersion = "schema_version" }
    }

    func run() async throws {
        let (store, settings) = try await store.openStore()
        let result = Result(database: settings.databaseDescription, schemaVersion: try await store.schemaVersion())
        if output.json { return try Output.json(result) }
        Output.line("\(result.database): schema version \(result.schemaVersion), up to date")
    }
}

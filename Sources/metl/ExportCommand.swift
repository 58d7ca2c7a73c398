import ArgumentParser
import Foundation
import Payments
import Pipeline

/// `metl export`: the ledger of a span of time as CSV and JSON Lines, for an auditor's tools.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "export",
        abstract: "Write the outbound files and their entries, payments, checks, bank files and all their history created in a span, as CSV and JSON Lines.",
        discussion: """
            Into DIR (new or empty, 0700; files 0600): outbound_files, file_entries, payments, payment_history, checks, \
            check_history, inbound_files and inbound_changes, each .csv and .jsonl, and manifest.json with each file's \
            rows and SHA-256. Account numbers are masked. The ledger is only read.
            """)
    @Option(help: "From this time: a date (the start of that day, this machine's time zone) or an RFC 3339 time.") var since: String?
    @Option(help: "Before this time: a date (through the end of that day) or an RFC 3339 time.") var until: String?
    @Argument(help: "The directory to write into.") var directory: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let since = try since.map { try ListOptions.time($0, "--since", side: .lower) }
        let until = try until.map { try ListOptions.time($0, "--until", side: .upper) }
        let (database, settings) = try await store.openStore(.reading)
        let manifest = try await LedgerExport(store: database, since: since, until: until).write(into: directory, at: settings.clock())
        if output.json { return try Output.json(manifest) }
        Output.table(["TABLE", "ROWS", "CSV SHA-256"], manifest.tables.map { [$0.name, String($0.rows), $0.csvSHA256] })
        Output.line("wrote \(directory)/manifest.json")
    }
}

import ArgumentParser
import Foundation
import Pipeline
import Payments
import Store

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Apply the bank's files: acknowledgements, BAI2 settlement, returns and NOCs.",
        discussion: """
            Each file is archived, recorded in the inbound ledger and applied in one transaction, or quarantined with a reason. \
            The same bytes twice are a duplicate. Exit 0 when every file was processed (or a duplicate), 1 when any needs attention.
            """)

    @Argument(help: "Files to ingest.") var files: [String] = []
    @Option(help: "A directory, file:///DIR or sftp://USER@HOST:PORT/DIR to take files from; each is moved to archive/ after it is recorded ($METL_INBOUND).")
    var from: String?
    @Option(help: "Archive directory ($METL_ARCHIVE_DIR; default: archive/ next to the database).") var archiveDir: String?
    @Option(help: "Private key for an SFTP source ($METL_IDENTITY_FILE).") var identityFile: String?
    @Option(help: "known_hosts for an SFTP source ($METL_KNOWN_HOSTS).") var knownHosts: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let logger = Log.make("metl.ingest", json: output.json)
        let environment = ProcessInfo.processInfo.environment
        let (database, settings) = try store.openStore()
        let archive = archiveDir ?? environment["METL_ARCHIVE_DIR"]
            ?? URL(fileURLWithPath: settings.database).deletingLastPathComponent().appendingPathComponent("archive").path
        let job = IngestJob(store: database, archive: Archive(root: archive), logger: logger)
        var outcomes: [IngestJob.Outcome] = []
        for path in files {
            let bytes = try readInput(path)
            outcomes.append(try await CutoffError.mapping { () throws(CutoffError) in
                try await job.ingest([UInt8](bytes), name: URL(fileURLWithPath: path).lastPathComponent, source: path)
            })
        }
        if let location = from ?? environment["METL_INBOUND"] {
            let sftp = DestinationURL.SFTPSettings(identityFile: identityFile ?? environment["METL_IDENTITY_FILE"],
                                                   password: environment["METL_SFTP_PASSWORD"],
                                                   knownHosts: knownHosts ?? environment["METL_KNOWN_HOSTS"])
            let source = try await CutoffError.mapping { () throws(CutoffError) in
                try await InboundSources.open(location, sftp: sftp, logger: logger)
            }
            do {
                for name in try await source.names() {
                    let bytes = try await source.read(name)
                    let outcome = try await CutoffError.mapping { () throws(CutoffError) in
                        try await job.ingest(bytes, name: name, source: "\(source)/\(name)")
                    }
                    outcomes.append(outcome)
                    // Recorded (processed, duplicate or quarantined): the remote copy moves aside, never deleted.
                    try await source.archive(name)
                }
                await source.close()
            } catch let error as DestinationError {
                await source.close()
                Output.error("metl: \(error.message)")
                throw error.kind == .transient ? ExitStatus.internalError : ExitStatus.configuration
            } catch {
                await source.close()
                throw error
            }
        }
        if output.json {
            try Output.json(outcomes)
        } else {
            for outcome in outcomes {
                Output.line("\(outcome.name): \(outcome.status) (\(outcome.kind), \(outcome.applied) applied)"
                            + (outcome.reason.map { " — \($0)" } ?? ""))
                for note in outcome.notes { Output.line("  note: \(note)") }
            }
            if outcomes.isEmpty { Output.line("no inbound files") }
        }
        if outcomes.contains(where: { $0.status == InboundFile.Status.quarantined.rawValue || !$0.notes.isEmpty }) {
            throw ExitStatus.findings
        }
    }
}

import ArgumentParser
import MetlConfiguration
import Foundation
import Synchronization
import Logging
import Payments
import Pipeline

/// `metl ingest [apply]`: the bank's files read, checked and applied.
struct IngestApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration.metl(
        commandName: "apply",
        abstract: "Apply the bank's files: acknowledgements, BAI2 settlement, returns and NOCs (the default).",
        discussion: """
            Each file is archived, recorded in the inbound ledger and checked whole; then it is applied a chunk of payments per \
            transaction (so a large file does not hold up the API), or quarantined with a reason and nothing applied. \
            The same bytes twice are a duplicate; a file an interrupted run left applying is resumed where it stopped. Exit 0 when every file was processed (or a duplicate), 1 when any needs attention (quarantined, noted, or exceptions opened to decide).
            """)

    @Argument(help: "Files to ingest.") var files: [String] = []
    @Option(help: "A directory, file:///DIR or sftp://USER@HOST:PORT/DIR to take files from; each is moved to archive/ after it is recorded ($METL_INBOUND; default each bank profile's inbound).")
    var from: String?
    @Option(help: "Archive directory ($METL_ARCHIVE_DIR; default: archive/ next to a SQLite database; required with PostgreSQL).")
    var archiveDir: String?
    @Option(help: "Private key for an SFTP source ($METL_IDENTITY_FILE).") var identityFile: String?
    @Option(help: "known_hosts for an SFTP source ($METL_KNOWN_HOSTS).") var knownHosts: String?
    @Option(help: "Apply a quarantined bank file again, by its inbound id (metl reconcile lists them), once its cause is fixed; every check runs again.")
    var retry: String?
    @OptionGroup var acting: OperatorOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var metrics: MetricsOptions

    @Option(help: "Largest inbound file in bytes; a larger one is quarantined unread ($METL_INBOUND_MAX_BYTES; default 1 GiB).")
    var maxFileBytes: Int64?
    @Option(help: "Require OpenPGP files to be signed by this bank key, by its full fingerprint ($METL_INBOUND_SIGNER).")
    var requireSigner: String?
    @OptionGroup var gnupg: GnuPGHomeOptions

    var flags: IngestFlags {
        IngestFlags(from: from, archiveDir: archiveDir, identityFile: identityFile, knownHosts: knownHosts, maxFileBytes: maxFileBytes,
                    requireSigner: requireSigner, gnupg: gnupg.flags)
    }

    func run() async throws {
        // Every named file can be read before anything is recorded: a mistyped path among several
        // changes nothing, and creates no database.
        let unreadable = files.filter { access($0, R_OK) != 0 }.map { "cannot open \($0): \(String(cString: strerror(errno)))" }
        if !unreadable.isEmpty {
            unreadable.forEach { Output.error("metl: " + $0) }
            throw ExitStatus.dataError
        }
        let logger = Log.make("metl.ingest", json: output.json)
        let settings = try store.settings()
        let configuration = try IngestConfiguration(flags, settings: settings, layers: .process, logger: logger)
        if retry != nil, !files.isEmpty || from != nil {
            throw ConfigurationError(.conflict, "--retry takes no files and no --from", isUsage: true)
        }
        let sources = retry == nil ? try configuration.sources(filesNamed: !files.isEmpty) : []
        let database = try await settings.openStore()
        func job(opening: OpenPGPOpening?) -> IngestJob {
            IngestJob(store: database, archive: configuration.archive, logger: logger, maximumFileBytes: configuration.maximumFileBytes,
                      opening: opening, clock: settings.clock)
        }
        let seen = Mutex<[IngestJob.Outcome]>([])
        try await JobAudit.around(retry == nil ? "ingest" : "ingest --retry", actor: .bankFile, store: database, settings: settings,
                                  archive: configuration.archive, logger: logger, metrics: metrics,
                                  counts: { Self.counts(seen.withLock { $0 }) }) {
            // Rejections, discrepancies and quarantined files are alerts, whatever this run ends with.
            let alerts = JobAlerts(store: database, routing: settings.alerts.routing, logger: logger)
            do {
                try await ingest(sources, opened: files, job: job, database: database, configuration: configuration, logger: logger) { outcomes in
                    seen.withLock { $0 = outcomes }
                }
            } catch {
                await alerts.ingestEnded(seen.withLock { $0 }, at: settings.clock())
                throw error
            }
            await alerts.ingestEnded(seen.withLock { $0 }, at: settings.clock())
        }
    }

    /// A run's counts for its metrics file.
    static func counts(_ outcomes: [IngestJob.Outcome]) -> [(name: String, value: Int, help: String)] {
        [("files", outcomes.count, "Bank files the last run read."),
         ("files_quarantined", outcomes.filter { $0.status == .quarantined }.count, "Bank files the last run quarantined."),
         ("files_duplicate", outcomes.filter { $0.status == .duplicate }.count, "Bank files the last run had read before."),
         ("records_applied", outcomes.reduce(0) { $0 + $1.applied }, "Records the last run applied."),
         ("exceptions_opened", outcomes.reduce(0) { $0 + $1.exceptionsOpened }, "Positive Pay exceptions the last run opened."),
         ("payments_rejected", outcomes.reduce(0) { $0 + $1.rejected }, "Payments the bank rejected in the files the last run read."),
         ("discrepancies", outcomes.reduce(0) { $0 + $1.discrepancies }, "Discrepancies the last run noted.")]
    }

    private func ingest(_ sources: [IngestConfiguration.Source], opened files: [String], job: (OpenPGPOpening?) -> IngestJob,
                        database: any LedgerStore, configuration: IngestConfiguration, logger: Logger,
                        read: ([IngestJob.Outcome]) -> Void) async throws {
        var outcomes: [IngestJob.Outcome] = []
        if let retry {
            // A retry is an operator's act; a scheduled ingest acts as itself.
            _ = try await acting.actor(database, .operator, to: "retry a bank file")
            let person = acting.actingName
            outcomes = [try await PipelineError.mapping { () throws(PipelineError) in
                try await job(configuration.opening).retry(inboundID: retry, by: person)
            }]
        }
        var opened: [(source: any InboundSource, job: IngestJob)] = files.isEmpty ? [] : [(LocalFiles(paths: files), job(configuration.opening))]
        for source in sources {
            opened.append((try await PipelineError.mapping { () throws(PipelineError) in
                try await InboundSources.open(source.location, sftp: source.login, logger: logger)
            }, job(source.opening)))
        }
        for (source, job) in opened {
            do {
                outcomes += try await job.ingest(from: source)
                await source.close()
            } catch let error as DestinationError {
                await source.close()
                Output.error("metl: \(error.message)")
                // A named file that cannot be read is unreadable input; a source that fails is its configuration or the network.
                if source is LocalFiles { throw ExitStatus.dataError }
                throw error.kind == .transient ? ExitStatus.unreachable : ExitStatus.configuration
            } catch let error as PipelineError {
                await source.close()
                try await PipelineError.mapping { () throws(PipelineError) -> Void in throw error }
            } catch {
                await source.close()
                throw error
            }
        }
        read(outcomes)
        if output.json {
            try Output.json(outcomes)
        } else {
            for outcome in outcomes {
                // What the file did: changes applied, and beside them what opened or was only noted.
                let effects = ["\(outcome.applied) applied"]
                    + (outcome.exceptionsOpened > 0 ? [Words.count(outcome.exceptionsOpened, "exception") + " opened"] : [])
                    + (outcome.rejected > 0 ? [Words.count(outcome.rejected, "payment") + " rejected"] : [])
                    + (outcome.discrepancies > 0 ? [Words.count(outcome.discrepancies, "discrepancy", plural: "discrepancies")] : [])
                    + (outcome.noted > 0 ? ["\(outcome.noted) noted"] : [])
                Output.line("\(outcome.name): \(outcome.status.rawValue) (\(outcome.kind), \(effects.joined(separator: ", ")))"
                            + (outcome.reason.map { " — \($0)" } ?? ""))
                for note in outcome.notes { Output.line("  note: \(note)") }
            }
            if outcomes.isEmpty { Output.line("no inbound files") }
        }
        // A quarantine, a note, or exceptions opened (checks someone must decide on before the deadline) need a person.
        if outcomes.contains(where: { $0.status.needsAttention || !$0.notes.isEmpty || $0.exceptionsOpened > 0 }) {
            throw ExitStatus.findings
        }
    }
}
